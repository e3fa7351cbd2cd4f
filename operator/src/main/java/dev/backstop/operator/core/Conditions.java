package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Observation.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Derives kstatus conditions from a status, so they can never disagree with it: Ready always
 * present, Reconciling, Stalled and Drifted only while true, Healthy. lastTransitionTime moves only when a
 * condition's status changes.
 */
public final class Conditions {

  private Conditions() {}

  /**
   * Writes the conditions into {@code s}.
   *
   * @param blocking a problem that stops progress this reconcile (invalid spec, source or engine
   *     unreachable), or null
   */
  public static void apply(StagingReleaseStatus s, Problem blocking, long generation, Instant now) {
    List<Condition> next = new ArrayList<>();
    next.add(ready(s, blocking));
    Condition reconciling = reconciling(s);
    if (reconciling != null) {
      next.add(reconciling);
    }
    Condition stalled = stalled(s, blocking);
    if (stalled != null) {
      next.add(stalled);
    }
    next.add(healthy(s));
    if (!s.getDrift().isEmpty()) {
      next.add(condition(ConditionType.Drifted, ConditionStatus.True, Reason.Drifted, Drift.describe(s.getDrift())));
    }
    for (Condition c : next) {
      c.setObservedGeneration(generation);
      Condition before = find(s.getConditions(), c.getType());
      c.setLastTransitionTime(
          before != null && before.getStatus() == c.getStatus() && before.getLastTransitionTime() != null
              ? before.getLastTransitionTime()
              : Timestamps.format(now));
    }
    s.setConditions(next);
  }

  public static Condition find(List<Condition> conditions, ConditionType type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> c.getType() == type).findFirst().orElse(null);
  }

  private static Condition ready(StagingReleaseStatus s, Problem blocking) {
    if (blocking != null) {
      return condition(ConditionType.Ready, ConditionStatus.False, blocking.reason(), blocking.message());
    }
    Operation op = s.getOperation();
    if (op != null) {
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.Progressing, describe(op) + retrying(s));
    }
    QuarantinedCommit q = quarantinedDesired(s);
    Phase phase = s.getPhase();
    if (phase == Phase.Suspended) {
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.Suspended, "spec.suspend is true: observing only");
    }
    if (phase == Phase.RolledBack) {
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.RolledBack, rolledBackMessage(s, q));
    }
    if (phase == Phase.Failed) {
      return condition(ConditionType.Ready, ConditionStatus.False, failureReason(s, q), lastFailure(s));
    }
    if (phase == Phase.PartiallyRolledBack) {
      String msg = "partially rolled back: " + ServiceRollbacks.describe(s);
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.PartiallyRolledBack,
          q == null ? msg : msg + "; " + holdBackMessage(q));
    }
    if (q != null) {
      return condition(ConditionType.Ready, ConditionStatus.False, q.getReason(), holdBackMessage(q));
    }
    if (s.getCurrent() == null) {
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.NotDeployed, "nothing applied yet");
    }
    if (anyTripped(s)) {
      return condition(ConditionType.Ready, ConditionStatus.False, Reason.HealthCheckFailed, failingChecks(s));
    }
    return condition(
        ConditionType.Ready,
        ConditionStatus.True,
        Reason.Succeeded,
        "running " + describe(s.getCurrent()) + "; " + checkSummary(s));
  }

  /** The engine fault an in-flight step waits out, said before it counts as stalled. */
  private static String retrying(StagingReleaseStatus s) {
    var f = s.getEngineFault();
    if (f == null) {
      return "";
    }
    return "; the engine failed it (" + f.getReason() + ", attempt " + f.getAttempts() + "), next attempt at "
        + f.getNextAttemptTime() + ": " + f.getMessage();
  }

  private static Condition reconciling(StagingReleaseStatus s) {
    Operation op = s.getOperation();
    if (op == null) {
      return null;
    }
    return condition(ConditionType.Reconciling, ConditionStatus.True, Reason.Progressing, describe(op));
  }

  private static Condition stalled(StagingReleaseStatus s, Problem blocking) {
    // An engine that does not answer is usually back soon: Stalled only once it outlasts the bound.
    if (blocking != null && (blocking.reason() != Reason.DockerUnavailable || EngineRetry.stalled(s))) {
      return condition(ConditionType.Stalled, ConditionStatus.True, blocking.reason(), blocking.message());
    }
    if (s.getOperation() != null) {
      return null;
    }
    QuarantinedCommit q = quarantinedDesired(s);
    if (s.getPhase() == Phase.Failed) {
      return condition(ConditionType.Stalled, ConditionStatus.True, failureReason(s, q), lastFailure(s));
    }
    if (q != null) {
      // A failed backup is not the commit's fault: name what failed instead of blaming the commit.
      Reason reason = q.getReason() == Reason.BackupFailed ? Reason.BackupFailed : Reason.CommitQuarantined;
      return condition(ConditionType.Stalled, ConditionStatus.True, reason, holdBackMessage(q));
    }
    return null;
  }

  private static Condition healthy(StagingReleaseStatus s) {
    if (s.getCurrent() == null) {
      return condition(ConditionType.Healthy, ConditionStatus.Unknown, Reason.NotDeployed, "nothing applied yet");
    }
    List<CheckStatus> checks = s.getChecks();
    if (anyTripped(s)) {
      return condition(ConditionType.Healthy, ConditionStatus.False, Reason.HealthCheckFailed, failingChecks(s));
    }
    boolean allPassing = !checks.isEmpty() && checks.stream().allMatch(c -> Boolean.TRUE.equals(c.getPassing()));
    if (allPassing) {
      return condition(ConditionType.Healthy, ConditionStatus.True, Reason.Succeeded, checkSummary(s));
    }
    return condition(ConditionType.Healthy, ConditionStatus.Unknown, Reason.AwaitingChecks, checkSummary(s));
  }

  /** The newest history entry of an operation that ran; a refused request did nothing to report. */
  static HistoryEntry lastOperation(StagingReleaseStatus s) {
    return s.getHistory().stream()
        .filter(h -> h.getResult() != dev.backstop.operator.api.v1alpha1.Result.Refused)
        .findFirst()
        .orElse(null);
  }

  private static Reason failureReason(StagingReleaseStatus s, QuarantinedCommit q) {
    HistoryEntry last = lastOperation(s);
    if (last != null && last.getRestore() == dev.backstop.operator.api.v1alpha1.Result.Failed) {
      return Reason.RestoreFailed;
    }
    if (last != null && last.getAction() != ActionKind.Deploy) {
      return Reason.RollbackFailed;
    }
    if (s.getLastKnownGood() == null) {
      return Reason.NoLastKnownGood;
    }
    return q != null ? q.getReason() : Reason.HealthCheckFailed;
  }

  private static String lastFailure(StagingReleaseStatus s) {
    HistoryEntry last = lastOperation(s);
    String what = last == null ? "the last operation failed" : last.getReason();
    if (last != null && last.getRestore() == dev.backstop.operator.api.v1alpha1.Result.Failed) {
      // Whether the database was touched is in `what`: a refused file or unknown name leaves it alone.
      return what + "; check the database, then restore a backup by hand or set spec.backup.restoreFrom."
          + " Nothing on data is retried by itself.";
    }
    if (s.getLastKnownGood() == null) {
      return what + "; no last-known-good commit to roll back to: the stack is left as it is for inspection."
          + " Set spec.source.ref to a working commit.";
    }
    return what + "; set spec.source.ref to a working commit or roll back by hand.";
  }

  private static String rolledBackMessage(StagingReleaseStatus s, QuarantinedCommit q) {
    String msg = "rolled back to " + describe(s.getCurrent());
    if (q != null) {
      msg += "; " + holdBackMessage(q);
    }
    return msg;
  }

  static String quarantineMessage(QuarantinedCommit q) {
    return "commit " + shortSha(q.getCommit()) + " (" + q.getRef() + ") is quarantined: " + q.getMessage()
        + ". Set spec.source.ref to another commit, or annotate backstop.dev/retry to try it again";
  }

  /**
   * Why the desired commit is held back. A failed backup reuses the quarantine so the deploy is
   * not retried on every reconcile, but the commit itself is fine: say what failed and what to do.
   */
  static String holdBackMessage(QuarantinedCommit q) {
    if (q.getReason() != Reason.BackupFailed) {
      return quarantineMessage(q);
    }
    return "the backup before deploying " + q.getRef() + " (" + shortSha(q.getCommit()) + ") failed, so the"
        + " running stack was left alone: " + q.getMessage() + ". Fix spec.backup or the database, then annotate"
        + " backstop.dev/retry (any change to the spec also tries again)";
  }

  static QuarantinedCommit quarantinedDesired(StagingReleaseStatus s) {
    Revision desired = s.getDesired();
    if (desired == null || desired.getCommit() == null) {
      return null;
    }
    return s.getQuarantined().stream()
        .filter(q -> desired.getCommit().equals(q.getCommit()))
        .findFirst()
        .orElse(null);
  }

  static boolean anyTripped(StagingReleaseStatus s) {
    return s.getChecks().stream().anyMatch(c -> Boolean.TRUE.equals(c.getTripped()));
  }

  static String failingChecks(StagingReleaseStatus s) {
    List<String> parts = new ArrayList<>();
    for (CheckStatus c : s.getChecks()) {
      if (Boolean.TRUE.equals(c.getTripped())) {
        parts.add("check " + c.getName() + " failed " + c.getConsecutiveFailures() + "x: " + c.getMessage());
      }
    }
    return String.join("; ", parts);
  }

  private static String checkSummary(StagingReleaseStatus s) {
    long passing = s.getChecks().stream().filter(c -> Boolean.TRUE.equals(c.getPassing())).count();
    return passing + "/" + s.getChecks().size() + " checks passing";
  }

  static String describe(Operation op) {
    return switch (op.getKind()) {
      case Deploy -> "deploying " + describe(op.getTarget());
      case Rollback -> "rolling back " + ServiceRollbacks.operationServices(op) + "to " + describe(op.getTarget());
      case EmergencyRollback -> "emergency rollback to " + describe(op.getTarget());
      case Backup -> "backing up the database of " + describe(op.getFrom()) + " as " + op.getBackup();
      case Restore -> "restoring backup " + op.getBackup();
    } + " (" + op.getStage().name().toLowerCase() + ")";
  }

  static String describe(Revision r) {
    if (r == null) {
      return "nothing";
    }
    return r.getRef() + " (" + shortSha(r.getCommit()) + ")";
  }

  static String shortSha(String commit) {
    return commit == null ? "?" : commit.substring(0, Math.min(7, commit.length()));
  }

  private static Condition condition(ConditionType type, ConditionStatus status, Reason reason, String message) {
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(message);
    return c;
  }
}
