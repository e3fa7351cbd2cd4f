package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The backup and restore steps of the decider: pure, like the rest of the core. */
final class BackupSteps {

  /** handledRequests key of the last spec.backup.restoreFrom acted on. */
  static final String RESTORE_FROM_KEY = "spec.backup.restoreFrom";

  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private BackupSteps() {}

  /** A new backup name: UTC time and the short commit whose data it holds, unique in status. */
  static String newName(StagingReleaseStatus s, Revision of, Instant now) {
    String base = NAME_TIME.format(now) + "-" + Conditions.shortSha(of == null ? null : of.getCommit());
    Set<String> taken = new HashSet<>();
    s.getBackups().forEach(b -> taken.add(b.getName()));
    s.getHistory().forEach(h -> taken.add(h.getBackup()));
    String name = base;
    for (int i = 2; taken.contains(name); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  /**
   * With spec.backup.beforeRollback, a rollback that will restore a backup first dumps the database
   * as the broken version left it (before last-known-good's code touches it); null otherwise.
   */
  static Action startBeforeRollback(StagingReleaseStatus s, ReleaseSettings settings, Operation op, Instant now) {
    if (settings.backup() == null || !settings.backup().beforeRollback() || op.getKind() != ActionKind.Rollback
        || op.getBackup() == null || op.getFrom() == null) {
      return null;
    }
    op.setStage(OperationStage.BackingUp);
    s.getLastRollback().setBackupBeforeRollback(newName(s, op.getFrom(), now));
    return backupAction(s, op);
  }

  /** Whether {@code op} is taking its pre-rollback backup, rather than a deploy's or a requested one. */
  static boolean beforeRollback(StagingReleaseStatus s, Operation op) {
    return op.getKind() == ActionKind.Rollback && op.getStage() == OperationStage.BackingUp
        && s.getLastRollback() != null && s.getLastRollback().getBackupBeforeRollback() != null;
  }

  static Action backupAction(StagingReleaseStatus s, Operation op) {
    if (beforeRollback(s, op)) {
      // Not drilled: a drill would hold up the rollback of a broken stack by a database start.
      return new Action.Backup(s.getLastRollback().getBackupBeforeRollback(), op.getFrom().getCommit(),
          "before rolling back from " + Conditions.describe(op.getFrom()), false);
    }
    String reason = op.getKind() == ActionKind.Deploy
        ? "before deploying " + Conditions.describe(op.getTarget())
        : "requested";
    return new Action.Backup(op.getBackup(), op.getFrom() == null ? null : op.getFrom().getCommit(), reason);
  }

  /** A backup on request (`backstop backup NAME`): nothing else changes. */
  static Action startBackup(StagingReleaseStatus s, Instant now) {
    Operation op = ReleaseDecider.operation(ActionKind.Backup, Trigger.Manual, s.getCurrent(), s.getCurrent(),
        "backup requested", now, null);
    op.setStage(OperationStage.BackingUp);
    op.setBackup(newName(s, s.getCurrent(), now));
    s.setOperation(op);
    ReleaseDecider.addHistory(s, op);
    return backupAction(s, op);
  }

  /** The backup taken just before {@code revision} was deployed, or null. */
  static String takenBefore(StagingReleaseStatus s, Revision revision) {
    if (revision == null) {
      return null;
    }
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == ActionKind.Deploy && h.getTo() != null && revision.getCommit().equals(h.getTo().getCommit())
          && h.getBackup() != null && find(s, h.getBackup()) != null) {
        return h.getBackup();
      }
    }
    return null;
  }

  /** Moves a rollback whose stack is healthy on to restoring its backup. */
  static Action startRestore(StagingReleaseStatus s, Operation op, Instant now) {
    op.setStage(OperationStage.Restoring);
    HistoryEntry h = entry(s, op);
    if (h != null) {
      h.setRestore(Result.InProgress);
    }
    BackupRecord record = find(s, op.getBackup());
    if (record == null) {
      failRestore(s, op, "it is no longer listed in status.backups, so nothing was restored", now);
      return Action.NONE;
    }
    return new Action.Restore(record.getName(), record.getSha256());
  }

  /** Starts the restore that a new spec.backup.restoreFrom value asks for, once per value. */
  static Action restoreFromSpec(StagingReleaseStatus s, ReleaseSettings settings, Instant now) {
    String wanted = settings.backup() == null ? null : settings.backup().restoreFrom();
    if (wanted == null) {
      // Unsetting it re-arms it: setting the same name again is a new request.
      s.getHandledRequests().remove(RESTORE_FROM_KEY);
      return null;
    }
    if (wanted.equals(s.getHandledRequests().get(RESTORE_FROM_KEY))) {
      return null;
    }
    s.getHandledRequests().put(RESTORE_FROM_KEY, wanted);
    Operation op = ReleaseDecider.operation(ActionKind.Restore, Trigger.Manual, s.getCurrent(), s.getCurrent(),
        "spec.backup.restoreFrom asks for backup " + wanted, now, null);
    op.setBackup(wanted);
    s.setOperation(op);
    ReleaseDecider.addHistory(s, op);
    s.setPhase(Phase.Restoring);
    if (s.getCurrent() == null) {
      failRestore(s, op, "no stack is running to restore it into", now);
      return Action.NONE;
    }
    if (find(s, wanted) == null) {
      // Most likely a typo: say so, and list what can be restored, before anything is touched.
      failRestore(s, op, "status.backups lists no backup of that name, so nothing was restored and the database"
          + " was not touched; known backups: " + known(s), now);
      return Action.NONE;
    }
    return startRestore(s, op, now);
  }

  /** Records a taken backup, and where the deploy it precedes goes next. */
  static Decision backupDone(
      ReleaseDecider decider, StagingReleaseStatus s, ReleaseSettings settings, Action.Backup action,
      BackupOutcome outcome, Observation obs, Instant now) {
    Operation op = s.getOperation();
    if (beforeRollback(s, op)) {
      return beforeRollbackDone(s, settings, action, outcome, obs, now);
    }
    if (outcome.engineFault() != null) {
      // The engine's or host's trouble (daemon gone, container gone, disk full), not the backup's
      // nor the commit's: the step stays in flight and a dump is taken again after the backoff.
      Duration wait = EngineRetry.failed(s, outcome.engineFault(), "backup " + action.name() + " could not be taken: "
          + outcome.message(), now);
      return ReleaseDecider.finish(s, Action.NONE, EngineRetry.stalledProblem(s), obs, now, wait);
    }
    s.setEngineFault(null);
    if (!outcome.ok()) {
      String message = "backup " + action.name() + " failed: " + outcome.message();
      ReleaseDecider.finishHistory(s, op, Result.Failed, message, now);
      s.setOperation(null);
      if (op.getKind() == ActionKind.Deploy) {
        // Held back like a quarantined commit, so it is not retried on every reconcile; Conditions
        // words it as the backup failure it is, from this first status on.
        ReleaseDecider.addQuarantine(s, op.getTarget(), dev.backstop.operator.api.v1alpha1.Reason.BackupFailed,
            outcome.message(), now);
        s.setPhase(s.getCurrent() == null ? Phase.Pending : Phase.Healthy);
        return ReleaseDecider.finish(s, Action.NONE, null, obs, now, settings.interval());
      }
      return ReleaseDecider.finish(s, Action.NONE,
          new Observation.Problem(dev.backstop.operator.api.v1alpha1.Reason.BackupFailed,
              message + "; nothing else was changed. Fix spec.backup or the database, then request it again"),
          obs, now, settings.interval());
    }
    BackupRecord record = record(action, outcome, now);
    s.getBackups().removeIf(b -> b.getName().equals(action.name()));
    s.getBackups().add(0, record);
    Revision lkg = s.getLastKnownGood();
    if (lkg != null && lkg.getCommit().equals(action.commit())) {
      lkg.setBackup(action.name());
    }
    List<String> expired = expire(s, settings.backup().retention());
    Action cleanup = expired.isEmpty() ? Action.NONE : new Action.DeleteBackups(expired);
    if (op.getKind() == ActionKind.Deploy) {
      op.setStage(OperationStage.Applying);
      s.setPhase(Phase.Deploying);
      return ReleaseDecider.finish(s, cleanup, null, obs, now, ReleaseDecider.ACTIVE_REQUEUE);
    }
    ReleaseDecider.finishHistory(s, op, Result.Succeeded, null, now);
    s.setOperation(null);
    return ReleaseDecider.finish(s, cleanup, null, obs, now, settings.interval());
  }

  // The stack is broken: a failed pre-rollback dump is reported but never holds the rollback up.
  private static Decision beforeRollbackDone(StagingReleaseStatus s, ReleaseSettings settings, Action.Backup action,
      BackupOutcome outcome, Observation obs, Instant now) {
    Operation op = s.getOperation();
    if (outcome.ok()) {
      s.getBackups().removeIf(b -> b.getName().equals(action.name()));
      s.getBackups().add(0, record(action, outcome, now));
    } else {
      s.getLastRollback().setBackupBeforeRollback(null);
      s.getLastRollback().setBackupBeforeRollbackFailure("backup " + action.name() + " failed: " + outcome.message());
    }
    op.setStage(OperationStage.Applying);
    return ReleaseDecider.finish(s, Action.NONE, null, obs, now, ReleaseDecider.ACTIVE_REQUEUE);
  }

  private static BackupRecord record(Action.Backup action, BackupOutcome outcome, Instant now) {
    BackupRecord record = new BackupRecord();
    record.setName(action.name());
    record.setCommit(action.commit());
    record.setTime(Timestamps.format(now));
    record.setSize(outcome.size());
    record.setSha256(outcome.sha256());
    record.setReason(action.reason());
    if (outcome.drill() != null) {
      dev.backstop.operator.api.v1alpha1.BackupDrill drill = new dev.backstop.operator.api.v1alpha1.BackupDrill();
      drill.setResult(Result.Succeeded);
      drill.setTime(Timestamps.format(now));
      drill.setMessage(outcome.drill());
      record.setDrill(drill);
    }
    return record;
  }

  /** Records a restore: a rollback that restored succeeds; a failed restore stalls. */
  static Decision restoreDone(
      ReleaseDecider decider, StagingReleaseStatus s, ReleaseSettings settings, Action.Restore action,
      BackupOutcome outcome, Observation obs, Instant now) {
    Operation op = s.getOperation();
    if (outcome.engineFault() != null) {
      // The engine failed it before the restore command ran: the database is untouched, so the
      // restore is taken again after the backoff (see retryRestore).
      Duration wait = EngineRetry.failed(s, outcome.engineFault(), "restore of backup " + action.name()
          + " could not start: " + outcome.message(), now);
      return ReleaseDecider.finish(s, Action.NONE, EngineRetry.stalledProblem(s), obs, now, wait);
    }
    s.setEngineFault(null);
    if (!outcome.ok()) {
      failRestore(s, op, outcome.message(), now);
      return ReleaseDecider.finish(s, Action.NONE, null, obs, now, settings.interval());
    }
    HistoryEntry h = entry(s, op);
    if (h != null) {
      h.setRestore(Result.Succeeded);
    }
    if (op.getKind() == ActionKind.Rollback) {
      decider.succeed(s, now);
      return ReleaseDecider.finish(s, Action.NONE, null, obs, now, settings.interval());
    }
    ReleaseDecider.finishHistory(s, op, Result.Succeeded, null, now);
    s.setOperation(null);
    boolean runningDesired = s.getDesired() != null && s.getCurrent() != null
        && s.getCurrent().getCommit().equals(s.getDesired().getCommit());
    s.setPhase(runningDesired ? Phase.Healthy : Phase.RolledBack);
    return ReleaseDecider.finish(s, Action.NONE, null, obs, now, settings.interval());
  }

  /**
   * The restore again, when the last attempt met an engine fault before its command ran; null when
   * no such attempt is pending (then a restore stage left behind means it was cut off mid-way).
   */
  static Action retryRestore(StagingReleaseStatus s, Operation op) {
    if (s.getEngineFault() == null) {
      return null;
    }
    BackupRecord record = find(s, op.getBackup());
    return record == null ? null : new Action.Restore(record.getName(), record.getSha256());
  }

  /** Ends an operation whose restore failed: Failed, and no retry on data without a person. */
  static void failRestore(StagingReleaseStatus s, Operation op, String why, Instant now) {
    String message = "restore of backup " + op.getBackup() + " failed: " + why;
    HistoryEntry h = entry(s, op);
    if (h != null) {
      h.setRestore(Result.Failed);
    }
    ReleaseDecider.finishHistory(s, op, Result.Failed, message, now);
    if (op.getKind() == ActionKind.Rollback) {
      ReleaseDecider.failRollbackReport(s, message, now);
    }
    s.setOperation(null);
    s.setPhase(Phase.Failed);
  }

  static boolean lastRestoreFailed(StagingReleaseStatus s) {
    return !s.getHistory().isEmpty() && s.getHistory().get(0).getRestore() == Result.Failed;
  }

  /**
   * Drops from status the backups beyond the newest {@code retention} that nothing points at:
   * not last-known-good, not history, not an operation in flight.
   *
   * @return the names dropped, whose files the driver deletes
   */
  static List<String> expire(StagingReleaseStatus s, int retention) {
    Set<String> pinned = new HashSet<>();
    if (s.getLastKnownGood() != null && s.getLastKnownGood().getBackup() != null) {
      pinned.add(s.getLastKnownGood().getBackup());
    }
    s.getHistory().forEach(h -> pinned.add(h.getBackup()));
    if (s.getOperation() != null) {
      pinned.add(s.getOperation().getBackup());
    }
    List<String> expired = new ArrayList<>();
    List<BackupRecord> all = s.getBackups();
    for (int i = retention; i < all.size(); i++) {
      if (!pinned.contains(all.get(i).getName())) {
        expired.add(all.get(i).getName());
      }
    }
    all.removeIf(b -> expired.contains(b.getName()));
    return expired;
  }

  private static String known(StagingReleaseStatus s) {
    if (s.getBackups().isEmpty()) {
      return "none";
    }
    List<String> names = s.getBackups().stream().map(BackupRecord::getName).limit(5).toList();
    return String.join(", ", names) + (s.getBackups().size() > 5 ? ", ... (`backstop backups` lists all)" : "");
  }

  static BackupRecord find(StagingReleaseStatus s, String name) {
    return s.getBackups().stream().filter(b -> b.getName().equals(name)).findFirst().orElse(null);
  }

  private static HistoryEntry entry(StagingReleaseStatus s, Operation op) {
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == op.getKind() && op.getStartTime().equals(h.getStartTime())) {
        return h;
      }
    }
    return null;
  }
}
