package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import dev.backstop.operator.core.ReleaseEvent.Type;
import java.util.ArrayList;
import java.util.List;

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
    for (QuarantinedCommit q : after.getQuarantined()) {
      boolean known = before != null && before.getQuarantined().stream().anyMatch(b -> b.getCommit().equals(q.getCommit()));
      if (!known) {
        events.add(new ReleaseEvent(Type.Warning, Kind.CommitQuarantined, Conditions.quarantineMessage(q)));
      }
    }
    Condition ready = Conditions.find(after.getConditions(), ConditionType.Ready);
    Condition readyBefore = before == null ? null : Conditions.find(before.getConditions(), ConditionType.Ready);
    if (ready != null && isBlocking(ready.getReason())
        && (readyBefore == null || readyBefore.getReason() != ready.getReason())) {
      events.add(new ReleaseEvent(Type.Warning, Kind.NotReady, ready.getReason() + ": " + ready.getMessage()));
    }
    return events;
  }

  private static boolean isBlocking(Reason reason) {
    return switch (reason) {
      case InvalidSpec, InvalidManifest, RefNotFound, SourceUnavailable, DockerUnavailable, ComposeInvalid,
          BuildFailed, PullFailed,
          SecretNotFound, SecretInvalid -> true;
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
      case Failed -> from == Phase.RollingBack
          ? new ReleaseEvent(Type.Warning, Kind.RollbackFailed, lastReason(s))
          : new ReleaseEvent(Type.Warning, Kind.DeployFailed, lastReason(s));
      case BackingUp -> new ReleaseEvent(Type.Normal, Kind.BackupStarted, "backing up before deploying " + target);
      case Restoring -> new ReleaseEvent(Type.Normal, Kind.RestoreStarted, "restoring the database backup taken before " + target);
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

  private static String lastReason(StagingReleaseStatus s) {
    return s.getHistory().isEmpty() ? "failed" : s.getHistory().get(0).getReason();
  }
}
