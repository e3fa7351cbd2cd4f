package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.RequestRecord;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import dev.backstop.operator.core.ReleaseEvent.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The events between two statuses: only what changed, so an unchanged state says nothing. */
public final class Transitions {

  private Transitions() {}

  public static List<ReleaseEvent> between(StagingReleaseStatus before, StagingReleaseStatus after) {
    List<ReleaseEvent> events = new ArrayList<>();
    Phase from = before == null ? null : before.getPhase();
    Phase to = after.getPhase();
    if (from != to && to != null) {
      ReleaseEvent e = phaseEvent(from, after);
      if (e != null) {
        events.add(e);
      }
    }
    events.addAll(backupEvents(before, after));
    for (QuarantinedCommit q : after.getQuarantined()) {
      if (q.getReason() == Reason.BackupFailed) {
        // Not a verdict on the commit: the BackupFailed event above says what happened.
        continue;
      }
      boolean known = before != null && before.getQuarantined().stream().anyMatch(b -> b.getCommit().equals(q.getCommit()));
      if (!known) {
        events.add(new ReleaseEvent(Type.Warning, Kind.CommitQuarantined, Conditions.quarantineMessage(q)));
      }
    }
    RequestRecord answered = after.getLastRequest();
    RequestRecord answeredBefore = before == null ? null : before.getLastRequest();
    if (answered != null && Boolean.FALSE.equals(answered.getAccepted()) && !sameRequest(answered, answeredBefore)) {
      events.add(new ReleaseEvent(Type.Warning, Kind.RequestRefused,
          answered.getAnnotation() + "=" + answered.getValue() + " refused: " + answered.getMessage()));
    }
    Condition ready = Conditions.find(after.getConditions(), ConditionType.Ready);
    Condition readyBefore = before == null ? null : Conditions.find(before.getConditions(), ConditionType.Ready);
    if (ready != null && isBlocking(ready.getReason())
        && (readyBefore == null || readyBefore.getReason() != ready.getReason())) {
      events.add(new ReleaseEvent(Type.Warning, Kind.NotReady, ready.getReason() + ": " + ready.getMessage()));
    }
    return events;
  }

  /**
   * Backups taken or failed and restores done or failed, each once: read from what changed in
   * status.backups, the operation's stage and the history's restore results.
   */
  private static List<ReleaseEvent> backupEvents(StagingReleaseStatus before, StagingReleaseStatus after) {
    List<ReleaseEvent> events = new ArrayList<>();
    Set<String> had = before == null ? Set.of() : names(before.getBackups());
    Set<String> has = names(after.getBackups());
    for (BackupRecord b : after.getBackups()) {
      if (!had.contains(b.getName())) {
        events.add(new ReleaseEvent(Type.Normal, Kind.BackupTaken, "backup " + b.getName() + " of commit "
            + Conditions.shortSha(b.getCommit()) + " taken " + b.getReason() + " (" + b.getSize() + " bytes)"));
      }
    }
    Operation was = before == null ? null : before.getOperation();
    // A rollback's own backing-up stage is the pre-rollback dump; its failure has its own event.
    if (was != null && was.getStage() == OperationStage.BackingUp && was.getKind() != ActionKind.Rollback
        && !has.contains(was.getBackup())) {
      Operation op = after.getOperation();
      boolean stillBackingUp = op != null && op.getStage() == OperationStage.BackingUp
          && was.getBackup().equals(op.getBackup());
      if (!stillBackingUp) {
        HistoryEntry h = match(after, was.getKind(), was.getStartTime());
        events.add(new ReleaseEvent(Type.Warning, Kind.BackupFailed,
            h == null || h.getReason() == null ? "backup " + was.getBackup() + " failed" : h.getReason()));
      }
    }
    String preFailure = after.getLastRollback() == null ? null : after.getLastRollback().getBackupBeforeRollbackFailure();
    String preFailed = before == null || before.getLastRollback() == null ? null
        : before.getLastRollback().getBackupBeforeRollbackFailure();
    if (preFailure != null && !preFailure.equals(preFailed)) {
      events.add(new ReleaseEvent(Type.Warning, Kind.BackupFailed,
          "pre-rollback " + preFailure + "; rolling back without it"));
    }
    for (HistoryEntry h : after.getHistory()) {
      Result restore = h.getRestore();
      if (restore != Result.Succeeded && restore != Result.Failed) {
        continue;
      }
      HistoryEntry prior = before == null ? null : match(before, h.getAction(), h.getStartTime());
      if (prior != null && prior.getRestore() == restore) {
        continue;
      }
      events.add(restore == Result.Succeeded
          ? new ReleaseEvent(Type.Normal, Kind.RestoreSucceeded, "database restored from backup " + h.getBackup())
          : new ReleaseEvent(Type.Warning, Kind.RestoreFailed, h.getReason()));
    }
    return events;
  }

  private static boolean sameRequest(RequestRecord a, RequestRecord b) {
    return b != null && java.util.Objects.equals(a.getAnnotation(), b.getAnnotation())
        && java.util.Objects.equals(a.getValue(), b.getValue()) && java.util.Objects.equals(a.getTime(), b.getTime());
  }

  private static Set<String> names(List<BackupRecord> backups) {
    Set<String> names = new HashSet<>();
    backups.forEach(b -> names.add(b.getName()));
    return names;
  }

  private static HistoryEntry match(StagingReleaseStatus s, ActionKind kind, String startTime) {
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == kind && h.getStartTime() != null && h.getStartTime().equals(startTime)) {
        return h;
      }
    }
    return null;
  }

  private static boolean isBlocking(Reason reason) {
    return switch (reason) {
      case InvalidSpec, InvalidManifest, RefNotFound, SourceUnavailable, DockerUnavailable, ComposeInvalid,
          BuildFailed, PullFailed, AddressPoolsExhausted, DiskFull, PortConflict, RegistryUnavailable,
          SecretNotFound, SecretInvalid, PolicyViolation -> true;
      default -> false;
    };
  }

  private static ReleaseEvent phaseEvent(Phase from, StagingReleaseStatus s) {
    Operation op = s.getOperation();
    String target = op == null ? Conditions.describe(s.getCurrent()) : Conditions.describe(op.getTarget());
    return switch (s.getPhase()) {
      case Deploying -> new ReleaseEvent(Type.Normal, Kind.DeployStarted, "deploying " + target);
      case Verifying -> new ReleaseEvent(Type.Normal, Kind.Applied, "applied " + target + ", verifying");
      // From Deploying straight to a stable phase: the deploy failed before touching the stack.
      case Healthy, Pending -> from == Phase.Deploying || from == Phase.BackingUp
          ? new ReleaseEvent(Type.Warning, Kind.DeployFailed, lastReason(s) + "; the stack was not changed")
          : s.getPhase() == Phase.Pending ? null
          : from == Phase.Degraded
          ? new ReleaseEvent(Type.Normal, Kind.Recovered, Conditions.describe(s.getCurrent()) + " passes its checks again")
          : new ReleaseEvent(Type.Normal, Kind.DeploySucceeded, Conditions.describe(s.getCurrent()) + " is healthy");
      case Degraded -> new ReleaseEvent(Type.Warning, Kind.HealthCheckFailed, Conditions.failingChecks(s));
      case RollingBack -> new ReleaseEvent(Type.Warning, Kind.RollbackStarted,
          "rolling back to " + target + ": " + (op == null ? "" : op.getReason()));
      case RolledBack -> new ReleaseEvent(Type.Normal, Kind.RollbackSucceeded,
          "running " + Conditions.describe(s.getCurrent()) + " again" + recovery(s));
      case PartiallyRolledBack -> from == Phase.RollingBack
          ? new ReleaseEvent(Type.Normal, Kind.RollbackSucceeded, "partially rolled back: "
              + ServiceRollbacks.describe(s) + recovery(s))
          : null;
      case Failed -> from == Phase.RollingBack
          ? new ReleaseEvent(Type.Warning, Kind.RollbackFailed, lastReason(s))
          // A failed restoreFrom is no deploy: its RestoreFailed event says it all.
          : lastAction(s) == ActionKind.Restore ? null
          : new ReleaseEvent(Type.Warning, Kind.DeployFailed, lastReason(s));
      case BackingUp -> new ReleaseEvent(Type.Normal, Kind.BackupStarted, "backing up before deploying " + target);
      case Restoring -> new ReleaseEvent(Type.Normal, Kind.RestoreStarted,
          "restoring backup " + (op == null ? "?" : op.getBackup()) + " into the database of " + target);
      case Suspended -> new ReleaseEvent(Type.Normal, Kind.Suspended, "spec.suspend is true: observing only");
      default -> null;
    };
  }

  private static String recovery(StagingReleaseStatus s) {
    if (s.getLastRollback() == null) {
      return "";
    }
    if (Boolean.TRUE.equals(s.getLastRollback().getManualVerificationRequired())) {
      return " (emergency: manual verification required)";
    }
    Double seconds = s.getLastRollback().getRecoverySeconds();
    return seconds == null ? "" : String.format(" (recovered %.1fs after detection)", seconds);
  }

  private static ActionKind lastAction(StagingReleaseStatus s) {
    HistoryEntry last = Conditions.lastOperation(s);
    return last == null ? null : last.getAction();
  }

  private static String lastReason(StagingReleaseStatus s) {
    HistoryEntry last = Conditions.lastOperation(s);
    return last == null ? "failed" : last.getReason();
  }
}
