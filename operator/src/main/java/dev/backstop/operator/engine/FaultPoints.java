package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.Decision;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only pause points for the fault-injection suite (FaultIT): with {@code
 * BACKSTOP_FAULT_PAUSE=<step>} in its environment the process blocks the first time the loop
 * reaches that step, logging {@code [fault] paused at <step>}, so a test can SIGKILL it exactly
 * there. Steps too quick to catch from outside are the reason this exists. Unset (always, outside
 * that suite) it does nothing.
 */
public final class FaultPoints {

  /** The environment variable naming the step to pause at. */
  public static final String ENV = "BACKSTOP_FAULT_PAUSE";

  /** No pause anywhere. */
  public static final FaultPoints NONE = new FaultPoints(null);

  private static final Logger LOG = LoggerFactory.getLogger(FaultPoints.class);

  private final String step;
  private final AtomicBoolean reached = new AtomicBoolean();
  private final CountDownLatch never = new CountDownLatch(1);

  private FaultPoints(String step) {
    this.step = step;
  }

  /** Pause points as {@link #ENV} in {@code env} names them; {@link #NONE} when unset or blank. */
  public static FaultPoints fromEnvironment(Map<String, String> env) {
    String step = env.get(ENV);
    return step == null || step.isBlank() ? NONE : new FaultPoints(step.trim());
  }

  /** The step a recorded decision is at, before its action runs; null when none of interest. */
  static String before(Decision decision) {
    Action action = decision.action();
    if (action instanceof Action.Backup) {
      return "backup-started";
    }
    if (action instanceof Action.Restore) {
      return "restoring";
    }
    if (action instanceof Action.Apply apply) {
      return apply.kind() == ActionKind.Deploy ? "applying" : "rolling-back";
    }
    Operation op = decision.status().getOperation();
    if (op != null && op.getStage() == OperationStage.Verifying) {
      return op.getKind() == ActionKind.Deploy ? "verifying" : "rollback-verifying";
    }
    return null;
  }

  /** The step after {@code action} ran and before its outcome is recorded. */
  static String after(Action action) {
    if (action instanceof Action.Backup) {
      return "backup-written";
    }
    if (action instanceof Action.Restore) {
      return "restore-verified";
    }
    if (action instanceof Action.Apply apply) {
      return apply.kind() == ActionKind.Deploy ? "recording" : "rollback-recording";
    }
    return null;
  }

  /** Blocks for good the first time {@code at} is the configured step; returns at once otherwise. */
  void at(String at) {
    if (step == null || !step.equals(at) || !reached.compareAndSet(false, true)) {
      return;
    }
    LOG.warn("[fault] paused at {} ({} is set): waiting to be killed", at, ENV);
    try {
      never.await();
    } catch (InterruptedException e) {
      // Shutting down: stop pausing and let the caller end the reconcile as usual.
      Thread.currentThread().interrupt();
    }
  }
}
