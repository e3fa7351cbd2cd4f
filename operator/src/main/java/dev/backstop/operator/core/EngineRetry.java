package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.EngineFaultStatus;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Observation.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Retries of the engine's and host's faults: capped exponential backoff, counted in status so a
 * restarted process keeps the count, and "stalled" only once the fault outlasts a bound. Pure.
 */
public final class EngineRetry {

  /** The first retry waits this long; each further one twice as long as the one before. */
  public static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);

  /** No retry waits longer than this. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** A fault is reported as Stalled from this many consecutive attempts... */
  public static final int STALLED_ATTEMPTS = 3;

  /** ...or once it has lasted this long, whichever comes first. */
  public static final Duration STALLED_AFTER = Duration.ofMinutes(2);

  private static final Set<Reason> ENGINE_FAULTS = Set.of(Reason.DockerUnavailable,
      Reason.AddressPoolsExhausted, Reason.DiskFull, Reason.PortConflict, Reason.RegistryUnavailable);

  private EngineRetry() {}

  /** Whether {@code reason} names a fault of the engine or host rather than of the commit. */
  public static boolean isEngineFault(Reason reason) {
    return reason != null && ENGINE_FAULTS.contains(reason);
  }

  /**
   * Whether a fault met in {@code stage} lasts until that step gets past it, rather than ending
   * when the engine next answers an observation: applying, dumping and restoring meet faults (a
   * port held, a container gone, a full disk) that a successful observation does not clear.
   */
  static boolean heldByStep(OperationStage stage) {
    return stage == OperationStage.Applying || stage == OperationStage.BackingUp
        || stage == OperationStage.Restoring;
  }

  /** How long to wait after the {@code attempts}-th consecutive failure (1-based). */
  public static Duration backoff(int attempts) {
    int doublings = Math.min(Math.max(attempts - 1, 0), 16);
    Duration wait = FIRST_BACKOFF.multipliedBy(1L << doublings);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }

  /** Counts one more failed attempt in {@code s}.engineFault and returns the wait before the next. */
  static Duration failed(StagingReleaseStatus s, Reason reason, String message, Instant now) {
    EngineFaultStatus f = s.getEngineFault();
    if (f == null) {
      f = new EngineFaultStatus();
      f.setSince(Timestamps.format(now));
      f.setAttempts(0);
      s.setEngineFault(f);
    }
    f.setReason(reason);
    f.setMessage(message);
    f.setAttempts(f.getAttempts() + 1);
    f.setLastTime(Timestamps.format(now));
    Duration wait = backoff(f.getAttempts());
    f.setNextAttemptTime(Timestamps.format(now.plus(wait)));
    return wait;
  }

  /** How long until the next attempt is due; zero when it is due now or nothing is being retried. */
  static Duration untilNextAttempt(StagingReleaseStatus s, Instant now) {
    EngineFaultStatus f = s.getEngineFault();
    Instant next = f == null ? null : Timestamps.parse(f.getNextAttemptTime());
    if (next == null || !now.isBefore(next)) {
      return Duration.ZERO;
    }
    return Duration.between(now, next);
  }

  /** Whether the fault being retried has outlasted the bound, so people are told it is stuck. */
  static boolean stalled(StagingReleaseStatus s) {
    EngineFaultStatus f = s.getEngineFault();
    if (f == null) {
      return false;
    }
    if (f.getAttempts() != null && f.getAttempts() >= STALLED_ATTEMPTS) {
      return true;
    }
    Instant since = Timestamps.parse(f.getSince());
    Instant last = Timestamps.parse(f.getLastTime());
    return since != null && last != null && !last.isBefore(since.plus(STALLED_AFTER));
  }

  /** The fault as a blocking problem once it is stalled, else null (an in-flight step says enough). */
  static Problem stalledProblem(StagingReleaseStatus s) {
    if (!stalled(s)) {
      return null;
    }
    EngineFaultStatus f = s.getEngineFault();
    return new Problem(f.getReason(), f.getMessage() + " (" + f.getAttempts() + " attempts since " + f.getSince()
        + "; retried with backoff up to every " + Durations.format(MAX_BACKOFF) + "; the commit is not held"
        + " against it)");
  }
}
