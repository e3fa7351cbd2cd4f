package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.core.checks.CheckTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides the next step of a release: a pure function of spec, the previous status, what was
 * observed and the time. Drivers call {@link #decide}, record its status, take its action, then
 * call {@link #complete} with the action's outcome and record again, so a process killed at any
 * point resumes from the recorded status.
 */
public final class ReleaseDecider {

  /** How many deploys and rollbacks status.history keeps. */
  public static final int HISTORY_LIMIT = 20;

  /** How soon to look again while a deploy or rollback is in flight. */
  public static final Duration ACTIVE_REQUEUE = Duration.ofSeconds(1);

  /** How soon to try again when the Docker engine cannot be reached. */
  public static final Duration ENGINE_RETRY = Duration.ofSeconds(5);

  /** Decides what to do now, from settings parsed once per reconcile. Does not modify its arguments. */
  public Decision decide(
      ReleaseSettings settings, StagingReleaseStatus previous, Observation obs, Instant now) {
    Decision d = decideStep(settings, previous, obs, now);
    Operation op = d.status().getOperation();
    boolean acts = d.action() instanceof Action.Apply || d.action() instanceof Action.Backup
        || d.action() instanceof Action.Restore;
    if (op != null && acts) {
      // The driver takes this action next; a status still marked so after a restart was cut off in it.
      op.setActingSince(Timestamps.format(now));
    }
    return d;
  }

  private Decision decideStep(
      ReleaseSettings settings, StagingReleaseStatus previous, Observation obs, Instant now) {
    StagingReleaseStatus s = begin(previous, obs);
    observe(s, settings, obs, now);
    Problem blocking = obs.dockerError() != null ? obs.dockerError() : sourceProblem(obs.source());
    if (blocking == null) {
      // A broken check definition is the user's to fix, and says so; it never causes a rollback.
      blocking = CheckVerdicts.brokenChecks(s.getChecks());
    }

    if (settings.suspend()) {
      s.setPhase(Phase.Suspended);
      refuseWhileSuspended(s, obs, now);
      return finish(s, Action.NONE, blocking, obs, now, settings.interval());
    }
    if (obs.dockerError() != null) {
      // Without the engine (or the access the driver could not grant) nothing can be applied or
      // judged; an operation in flight waits.
      if (!EngineRetry.isEngineFault(obs.dockerError().reason())) {
        // Not the engine's: a missing Secret, a refused source, a claimed project. The person who
        // fixes it changes the resource, which reconciles at once.
        return finish(s, Action.NONE, blocking, obs, now, settings.interval());
      }
      Duration pending = EngineRetry.untilNextAttempt(s, now);
      if (!pending.isZero()) {
        // Reconciled again inside the backoff (e.g. by our own status write): that is no new
        // attempt, and the status stays as recorded, so no write and no event loop.
        return finish(s, Action.NONE, blocking, obs, now, pending);
      }
      Duration wait = EngineRetry.failed(s, obs.dockerError().reason(), obs.dockerError().message(), now);
      return finish(s, Action.NONE, blocking, obs, now, wait);
    }
    engineAnswered(s, now);
    Action requested = handleRequests(s, settings, obs, now);
    if (requested != null) {
      return finish(s, requested, blocking, obs, now, ACTIVE_REQUEUE);
    }
    if (s.getOperation() != null && !supersededWhileEngineFails(s, obs, now)) {
      return continueOperation(s, settings, obs, blocking, now);
    }
    Action restore = BackupSteps.restoreFromSpec(s, settings, now);
    if (restore != null) {
      return finish(s, restore, blocking, obs, now, ACTIVE_REQUEUE);
    }
    if (obs.source().ok()) {
      String desired = obs.source().commit();
      boolean quarantined = quarantine(s, desired) != null;
      if (!quarantined && (s.getCurrent() == null || !desired.equals(s.getCurrent().getCommit()))) {
        Action deploy = startDeploy(s, settings, s.getDesired(), Trigger.SpecChange, now);
        return finish(s, deploy, blocking, obs, now, ACTIVE_REQUEUE);
      }
    }
    if (s.getCurrent() != null && obs.env().differsFrom(s.getAppliedEnv())
        && quarantine(s, s.getCurrent().getCommit()) == null) {
      // New variables are a new deploy input: the running commit again, with them.
      String change = obs.env().describeChange(s.getAppliedEnv());
      Action deploy = startDeploy(s, settings, copyRevision(s.getCurrent()), Trigger.EnvChange, now);
      s.getOperation().setReason(s.getOperation().getReason() + ": " + change);
      s.getHistory().get(0).setReason(s.getOperation().getReason());
      return finish(s, deploy, blocking, obs, now, ACTIVE_REQUEUE);
    }
    return monitor(s, settings, obs, blocking, now);
  }

  /** Records the outcome of an {@link Action.Apply} taken after {@link #decide}. */
  public Decision complete(
      ReleaseSettings settings,
      StagingReleaseStatus decided,
      Action.Apply action,
      ApplyOutcome outcome,
      Observation obs,
      Instant now) {
    StagingReleaseStatus s = copy(decided);
    actionDone(s);
    Operation op = s.getOperation();
    if (outcome.touched()) {
      // The containers now run with these variables, whatever the apply's verdict.
      s.setAppliedEnv(obs.env().applied());
      ServiceRollbacks.applied(s, action, op);
    }
    if (EngineRetry.isEngineFault(outcome.reason())) {
      // The engine's trouble, not the commit's: the step stays in flight (applying again is
      // idempotent) and is retried with backoff; nothing is quarantined or rolled back for it.
      Duration wait = EngineRetry.failed(s, outcome.reason(), outcome.message(), now);
      return finish(s, Action.NONE, EngineRetry.stalledProblem(s), obs, now, wait);
    }
    s.setEngineFault(null);
    if (outcome.ok()) {
      if (outcome.note() != null) {
        addNote(s, op, outcome.note());
      }
      if (action.services().isEmpty()) {
        s.setCurrent(revision(action.target(), now));
      }
      op.setStage(OperationStage.Verifying);
      op.setAppliedTime(Timestamps.format(now));
      if (op.getKind() != ActionKind.Deploy) {
        RollbackReport report = s.getLastRollback();
        report.setAppliedTime(Timestamps.format(now));
        report.setRollbackSeconds(Timestamps.secondsBetween(report.getStartTime(), report.getAppliedTime()));
      }
      if (op.getKind() == ActionKind.EmergencyRollback) {
        // No verification gate: the runbook's emergency path hands verification to a person.
        s.getLastRollback().setManualVerificationRequired(true);
        succeed(s, now);
        return finish(s, Action.NONE, null, obs, now, settings.interval());
      }
      s.setPhase(op.getKind() == ActionKind.Deploy ? Phase.Verifying : Phase.RollingBack);
      return finish(s, Action.NONE, null, obs, now, ACTIVE_REQUEUE);
    }
    if (!outcome.touched()) {
      finishHistory(s, op, Result.Failed, outcome.message(), now);
      s.setOperation(null);
      if (op.getKind() != ActionKind.Deploy) {
        failRollbackReport(s, outcome.message(), now);
        s.setPhase(Phase.Failed);
        return finish(s, Action.NONE, null, obs, now, settings.interval());
      }
      // A commit whose files or build are broken stays broken: quarantine it like a failed check.
      boolean commitsFault = outcome.reason() == Reason.ComposeInvalid || outcome.reason() == Reason.BuildFailed
          || outcome.reason() == Reason.PolicyViolation;
      if (commitsFault) {
        addQuarantine(s, op.getTarget(), outcome.reason(), outcome.message(), now);
      }
      // Nothing changed on the host: the stack keeps running what it ran, if anything.
      s.setPhase(s.getCurrent() == null ? Phase.Pending : Phase.Healthy);
      Problem problem = commitsFault ? null : new Problem(outcome.reason(), outcome.message());
      return finish(s, Action.NONE, problem, obs, now, settings.interval());
    }
    if (action.services().isEmpty()) {
      s.setCurrent(revision(action.target(), now));
    }
    Action next = failOperation(s, settings, outcome.reason(), outcome.message(), List.of(), now);
    return finish(s, next, null, obs, now, ACTIVE_REQUEUE);
  }

  /** Records the outcome of an {@link Action.Backup} taken after {@link #decide}. */
  public Decision completeBackup(
      ReleaseSettings settings,
      StagingReleaseStatus decided,
      Action.Backup action,
      BackupOutcome outcome,
      Observation obs,
      Instant now) {
    StagingReleaseStatus s = copy(decided);
    actionDone(s);
    if (settings.backup() == null || s.getOperation() == null) {
      return finish(s, Action.NONE, null, obs, now, ACTIVE_REQUEUE);
    }
    return BackupSteps.backupDone(this, s, settings, action, outcome, obs, now);
  }

  /** Records the outcome of an {@link Action.Restore} taken after {@link #decide}. */
  public Decision completeRestore(
      ReleaseSettings settings,
      StagingReleaseStatus decided,
      Action.Restore action,
      BackupOutcome outcome,
      Observation obs,
      Instant now) {
    StagingReleaseStatus s = copy(decided);
    actionDone(s);
    if (s.getOperation() == null) {
      return finish(s, Action.NONE, null, obs, now, ACTIVE_REQUEUE);
    }
    return BackupSteps.restoreDone(this, s, settings, action, outcome, obs, now);
  }

  private void observe(StagingReleaseStatus s, ReleaseSettings settings, Observation obs, Instant now) {
    Revision desired = new Revision();
    desired.setRef(settings.ref());
    if (obs.source().ok()) {
      desired.setCommit(obs.source().commit());
      desired.setShortCommit(Conditions.shortSha(obs.source().commit()));
      Revision before = s.getDesired();
      boolean same = before != null && obs.source().commit().equals(before.getCommit());
      desired.setTime(same ? before.getTime() : Timestamps.format(now));
    }
    s.setDesired(desired);
    if (obs.source().fetched()) {
      s.setLastFetchTime(Timestamps.format(now));
    }
    if (fetchAttempted(obs.source()) && unhandled(s, obs.requests(), StagingRelease.FETCH_ANNOTATION)) {
      // The observer fetched for it (or tried, and the remote said why not): done once. One it did
      // not try (an emergency rollback skips the fetch) stays unhandled, so the next reconcile fetches.
      s.getHandledRequests().put(StagingRelease.FETCH_ANNOTATION, obs.requests().get(StagingRelease.FETCH_ANNOTATION));
    }
    if (obs.dockerError() == null) {
      s.setServices(ServiceView.of(obs.containers()));
      s.setChecks(CheckTracker.record(s.getChecks(), obs.checks(), settings, now));
      s.setDrift(Drift.detect(s.getOperation() == null ? obs.rendered() : null, obs.containers()));
    }
  }

  /**
   * The engine answered: a fault seen only by observing is over. A verification that could not see
   * the stack meanwhile gets its progress deadline back, so that the operator's own blindness never
   * fails it. A fault met while applying lasts until an apply gets past it.
   */
  private static void engineAnswered(StagingReleaseStatus s, Instant now) {
    if (s.getEngineFault() == null) {
      return;
    }
    Operation op = s.getOperation();
    if (op != null && EngineRetry.heldByStep(op.getStage())) {
      return;
    }
    if (op != null && op.getStage() == OperationStage.Verifying) {
      op.setProgressFrom(Timestamps.format(now));
    }
    s.setEngineFault(null);
  }

  /**
   * A deploy the engine keeps failing gives way when the spec names another commit: the person has
   * moved on, and waiting for the engine to apply a commit nobody wants helps no one.
   */
  private static boolean supersededWhileEngineFails(StagingReleaseStatus s, Observation obs, Instant now) {
    Operation op = s.getOperation();
    boolean stuck = op.getKind() == ActionKind.Deploy
        && (op.getStage() == OperationStage.Applying || op.getStage() == OperationStage.BackingUp)
        && s.getEngineFault() != null;
    if (!stuck || !obs.source().ok() || obs.source().commit().equals(op.getTarget().getCommit())) {
      return false;
    }
    finishHistory(s, op, Result.Failed, "superseded by " + describe(s.getDesired()) + " while the engine failed it: "
        + s.getEngineFault().getMessage(), now);
    s.setOperation(null);
    s.setEngineFault(null);
    s.setPhase(s.getCurrent() == null ? Phase.Pending : Phase.Healthy);
    return true;
  }

  private Action handleRequests(StagingReleaseStatus s, ReleaseSettings settings, Observation obs, Instant now) {
    if (isNew(s, obs, StagingRelease.RETRY_ANNOTATION)) {
      String desired = obs.source().commit();
      String retry = StagingRelease.RETRY_ANNOTATION;
      if (desired == null) {
        RequestAnswers.refuse(s, obs, retry, ActionKind.Deploy, Trigger.Retry, "spec.source.ref " + settings.ref()
            + " does not resolve to a commit (" + obs.source().errorMessage() + "), so there is nothing to retry", now);
      } else {
        boolean lifted = s.getQuarantined().removeIf(q -> desired.equals(q.getCommit()));
        boolean running = s.getCurrent() != null && desired.equals(s.getCurrent().getCommit());
        String commit = describe(s.getDesired());
        if (running && s.getOperation() == null) {
          RequestAnswers.accept(s, obs, retry, (lifted ? "quarantine lifted; " : "") + "deploying " + commit + " again", now);
          return startDeploy(s, settings, s.getDesired(), Trigger.Retry, now);
        }
        if (lifted) {
          RequestAnswers.accept(s, obs, retry, "quarantine of " + commit + " lifted; it is deployed next", now);
        } else if (s.getOperation() != null) {
          RequestAnswers.refuse(s, obs, retry, ActionKind.Deploy, Trigger.Retry, "nothing to retry: " + commit
              + " is not quarantined and " + Conditions.describe(s.getOperation()) + " is in flight", now);
        } else {
          RequestAnswers.accept(s, obs, retry, commit + " is not quarantined; it is deployed next", now);
        }
      }
    }
    if (isNew(s, obs, StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION)) {
      String emergency = StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION;
      Revision target = rollbackTarget(s);
      if (target == null) {
        // Nothing to go back to: what is in flight goes on, rather than being interrupted for nothing.
        RequestAnswers.refuse(s, obs, emergency, ActionKind.EmergencyRollback, Trigger.Emergency,
            RequestAnswers.noTarget(s), now);
      } else {
        // An emergency preempts whatever is in flight: that is the point of it.
        Operation inFlight = s.getOperation();
        if (inFlight != null) {
          finishHistory(s, inFlight, Result.Failed, "interrupted by an emergency rollback", now);
          s.setOperation(null);
          s.setEngineFault(null);
        }
        quarantineCurrent(s, Reason.EmergencyRollback, "emergency rollback requested", now);
        RequestAnswers.accept(s, obs, emergency, "emergency rollback to " + describe(target), now);
        return startRollback(s, settings, target, ActionKind.EmergencyRollback, Trigger.Emergency,
            "emergency rollback requested", now, failingServices(obs), now);
      }
    }
    // A backup or rollback asked for while something is in flight waits its turn.
    if (s.getOperation() == null && isNew(s, obs, StagingRelease.BACKUP_ANNOTATION)) {
      String backup = StagingRelease.BACKUP_ANNOTATION;
      if (settings.backup() == null) {
        RequestAnswers.refuse(s, obs, backup, ActionKind.Backup, Trigger.Manual,
            "spec.backup is not set, so there is no database to back up; configure spec.backup first", now);
      } else if (s.getCurrent() == null) {
        RequestAnswers.refuse(s, obs, backup, ActionKind.Backup, Trigger.Manual,
            "nothing has been deployed yet, so there is no database to back up", now);
      } else {
        RequestAnswers.accept(s, obs, backup, "backing up the database of " + describe(s.getCurrent()), now);
        return BackupSteps.startBackup(s, now);
      }
    }
    if (s.getOperation() == null && isNew(s, obs, StagingRelease.ROLLBACK_ANNOTATION)) {
      String rollback = StagingRelease.ROLLBACK_ANNOTATION;
      RollbackTargets.Choice choice = RollbackTargets.resolve(s, obs.requests().get(StagingRelease.ROLLBACK_TO_ANNOTATION));
      Revision target = choice.target();
      if (target == null) {
        RequestAnswers.refuse(s, obs, rollback, ActionKind.Rollback, Trigger.Manual, choice.refusal(), now);
      } else {
        quarantineCurrent(s, Reason.ManualRollback, "rollback requested", now);
        RequestAnswers.accept(s, obs, rollback, "rolling back to " + describe(target), now);
        return startRollback(s, settings, target, ActionKind.Rollback, Trigger.Manual,
            "rollback requested", now, failingServices(obs), now);
      }
    }
    String servicesBefore = s.getHandledRequests().get(StagingRelease.ROLLBACK_SERVICES_ANNOTATION);
    if (s.getOperation() == null && isNew(s, obs, StagingRelease.ROLLBACK_SERVICES_ANNOTATION)) {
      String request = StagingRelease.ROLLBACK_SERVICES_ANNOTATION;
      List<String> only = ServiceRollbacks.requested(obs.requests().get(request), servicesBefore);
      String refusal = ServiceRollbacks.refusal(only, s);
      Revision target = rollbackTarget(s);
      if (refusal == null && target == null) {
        refusal = RequestAnswers.noTarget(s);
      }
      if (refusal != null) {
        RequestAnswers.refuse(s, obs, request, ActionKind.Rollback, Trigger.Manual, refusal, now);
      } else {
        String what = "rollback of " + String.join(", ", only) + " requested";
        quarantineCurrent(s, Reason.ManualRollback, what, now);
        RequestAnswers.accept(s, obs, request, "rolling back " + String.join(", ", only) + " to " + describe(target)
            + "; the other services stay on " + describe(s.getCurrent()), now);
        return startRollback(s, settings, target, ActionKind.Rollback, Trigger.Manual, what, now, only,
            new ServiceRollbacks.Scope(only, null), now);
      }
    }
    return null;
  }

  /** Suspended changes nothing, requests included: each is answered, not kept for later. */
  private static void refuseWhileSuspended(StagingReleaseStatus s, Observation obs, Instant now) {
    String why = "the release is suspended (spec.suspend), so nothing is changed; resume it first (`backstop resume`)";
    if (isNew(s, obs, StagingRelease.ROLLBACK_ANNOTATION)) {
      RequestAnswers.refuse(s, obs, StagingRelease.ROLLBACK_ANNOTATION, ActionKind.Rollback, Trigger.Manual, why, now);
    }
    if (isNew(s, obs, StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION)) {
      RequestAnswers.refuse(s, obs, StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, ActionKind.EmergencyRollback,
          Trigger.Emergency, why, now);
    }
    if (isNew(s, obs, StagingRelease.RETRY_ANNOTATION)) {
      RequestAnswers.refuse(s, obs, StagingRelease.RETRY_ANNOTATION, ActionKind.Deploy, Trigger.Retry, why, now);
    }
    if (isNew(s, obs, StagingRelease.BACKUP_ANNOTATION)) {
      RequestAnswers.refuse(s, obs, StagingRelease.BACKUP_ANNOTATION, ActionKind.Backup, Trigger.Manual, why, now);
    }
  }

  private static boolean isNew(StagingReleaseStatus s, Observation obs, String annotation) {
    if (!unhandled(s, obs.requests(), annotation)) {
      return false;
    }
    s.getHandledRequests().put(annotation, obs.requests().get(annotation));
    return true;
  }

  /** Whether the observer went to the remote for this observation, successfully or not. */
  private static boolean fetchAttempted(SourceState source) {
    return source.fetched() || source.errorReason() == Reason.SourceUnavailable
        || source.errorReason() == Reason.RefNotFound;
  }

  /** Whether {@code requests} carry a request of this kind that the release in {@code s} has not handled. */
  public static boolean unhandled(StagingReleaseStatus s, Map<String, String> requests, String annotation) {
    String value = requests.get(annotation);
    return value != null && !value.equals(s.getHandledRequests().get(annotation));
  }

  private Decision continueOperation(
      StagingReleaseStatus s, ReleaseSettings settings, Observation obs, Problem blocking, Instant now) {
    Operation op = s.getOperation();
    boolean interrupted = op.getActingSince() != null;
    if (interrupted && op.getStage() == OperationStage.Restoring) {
      // The process stopped mid-restore: the database may be half restored, so a person decides.
      addInterruption(s, op, "interrupted while restoring; not restored again");
      BackupSteps.failRestore(s, op, "Backstop stopped while restoring it (interrupted), so the database may be"
          + " partly restored; check the data, then restore by hand or set spec.backup.restoreFrom", now);
      return finish(s, Action.NONE, blocking, obs, now, settings.interval());
    }
    if (interrupted) {
      addInterruption(s, op, "interrupted while " + stageWords(op.getStage()) + "; resumed");
    }
    if (op.getStage() == OperationStage.Applying) {
      Duration wait = EngineRetry.untilNextAttempt(s, now);
      if (!wait.isZero()) {
        // An engine fault is being retried: wait out the backoff.
        Problem problem = blocking != null ? blocking : EngineRetry.stalledProblem(s);
        return finish(s, Action.NONE, problem, obs, now, wait);
      }
      if (blocking == null) {
        blocking = EngineRetry.stalledProblem(s);
      }
      // The process stopped while applying, the engine failed it, or a backup ran first; applying
      // again is idempotent. What was observed before or while the stack was half applied says
      // nothing about the target: counting it would fail a deploy or rollback for containers that
      // were only not up yet.
      s.setChecks(CheckTracker.reset(settings));
      Action resume = new Action.Apply(op.getKind(), op.getTarget(), op.getKind() == ActionKind.EmergencyRollback,
          op.getServices());
      return finish(s, resume, blocking, obs, now, ACTIVE_REQUEUE);
    }
    Duration engineWait = EngineRetry.untilNextAttempt(s, now);
    if (!engineWait.isZero() && EngineRetry.heldByStep(op.getStage())) {
      // A dump or restore the engine failed waits out its backoff.
      return finish(s, Action.NONE, blocking != null ? blocking : EngineRetry.stalledProblem(s), obs, now, engineWait);
    }
    if (op.getStage() == OperationStage.BackingUp) {
      // A dump only reads: taking it again under the same name is safe.
      return finish(s, BackupSteps.backupAction(s, op), blocking, obs, now, ACTIVE_REQUEUE);
    }
    Action restoreAgain = op.getStage() == OperationStage.Restoring ? BackupSteps.retryRestore(s, op) : null;
    if (restoreAgain != null) {
      return finish(s, restoreAgain, blocking != null ? blocking : EngineRetry.stalledProblem(s), obs, now,
          ACTIVE_REQUEUE);
    }
    if (op.getStage() == OperationStage.Restoring) {
      // The process stopped mid-restore: the database may be half restored, so a person decides.
      BackupSteps.failRestore(s, op, "the process stopped while restoring it, so the database may be partly restored", now);
      return finish(s, Action.NONE, blocking, obs, now, settings.interval());
    }
    // stableFor gates last-known-good only: a rollback goes back to a commit that already earned it.
    Duration stableFor = op.getKind() == ActionKind.Deploy ? settings.stableFor() : Duration.ZERO;
    if (CheckVerdicts.verified(s.getChecks(), settings, stableFor, now)) {
      if (op.getKind() == ActionKind.Rollback && op.getBackup() != null) {
        // Last-known-good runs and its database service is healthy: now put its data back.
        Action restore = BackupSteps.startRestore(s, op, now);
        return finish(s, restore, blocking, obs, now, ACTIVE_REQUEUE);
      }
      succeed(s, now);
      return finish(s, Action.NONE, blocking, obs, now, settings.interval());
    }
    String progressFrom = op.getProgressFrom() != null ? op.getProgressFrom() : op.getAppliedTime();
    Instant deadline = Timestamps.parse(progressFrom).plus(settings.progressDeadline());
    if (CheckVerdicts.rollbackTripped(s.getChecks(), settings)) {
      String trips = CheckVerdicts.describeRollbackTrips(s.getChecks(), settings);
      List<String> tripped = CheckVerdicts.rollbackTrips(s.getChecks(), settings);
      ServiceRollbacks.Scope scope = ServiceRollbacks.of(settings, s, obs);
      Action next = failOperation(s, settings, Reason.HealthCheckFailed, trips, failingServices(obs), scope, now);
      nameTrips(s, op, tripped);
      return finish(s, next, blocking, obs, now, ACTIVE_REQUEUE);
    }
    if (now.isAfter(deadline)) {
      String unstable = CheckVerdicts.describeUnstable(s.getChecks(), settings, stableFor, now);
      String waiting = String.join("; ", java.util.stream.Stream.of(pendingChecks(s), unstable)
          .filter(part -> !part.isEmpty()).toList());
      String message = "not healthy within progressDeadline " + Durations.format(settings.progressDeadline())
          + ": " + waiting;
      Action next = failOperation(s, settings, Reason.ProgressDeadlineExceeded, message, failingServices(obs), now);
      return finish(s, next, blocking, obs, now, ACTIVE_REQUEUE);
    }
    return finish(s, Action.NONE, blocking, obs, now, ACTIVE_REQUEUE);
  }

  /** The action a status announced was taken and its outcome is being recorded. */
  private static void actionDone(StagingReleaseStatus s) {
    if (s.getOperation() != null) {
      s.getOperation().setActingSince(null);
    }
  }

  /** Names on the operation's history entry (and reason) a step a stop of Backstop cut off. */
  private static void addInterruption(StagingReleaseStatus s, Operation op, String note) {
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == op.getKind() && op.getStartTime().equals(h.getStartTime())) {
        h.getInterruptions().add(note);
      }
    }
    addNote(s, op, note);
    op.setActingSince(null);
  }

  private static String stageWords(OperationStage stage) {
    return switch (stage) {
      case Applying -> "applying";
      case Verifying -> "verifying";
      case BackingUp -> "backing up";
      case Restoring -> "restoring";
    };
  }

  private Decision monitor(
      StagingReleaseStatus s, ReleaseSettings settings, Observation obs, Problem blocking, Instant now) {
    if (s.getCurrent() == null) {
      s.setPhase(s.getPhase() == Phase.Failed ? Phase.Failed : Phase.Pending);
      return finish(s, Action.NONE, blocking, obs, now, settings.interval());
    }
    boolean tripped = Conditions.anyTripped(s);
    Phase phase = s.getPhase();
    boolean runningDesired = s.getDesired().getCommit() != null
        && s.getDesired().getCommit().equals(s.getCurrent().getCommit());
    boolean wasHealthy = phase == Phase.Healthy || phase == Phase.Degraded || phase == Phase.PartiallyRolledBack;
    String heal = "re-apply " + describe(s.getCurrent()) + ", drifted: " + Drift.describe(s.getDrift());
    if (settings.selfHeal() && wasHealthy && !s.getDrift().isEmpty() && quarantine(s, s.getCurrent().getCommit()) == null
        && Drift.mayHeal(s.getHistory(), heal, now)) {
      // Before judging trips: a container removed or changed by hand is repaired by applying the
      // same commit again, not blamed on the commit; if that apply fails its checks, the deploy
      // path rolls back as for any other deploy.
      Action reapply = startDeploy(s, settings, copyRevision(s.getCurrent()), Trigger.Drift, now);
      s.getOperation().setReason(heal);
      s.getHistory().get(0).setReason(heal);
      return finish(s, reapply, blocking, obs, now, ACTIVE_REQUEUE);
    }
    if (CheckVerdicts.rollbackTripped(s.getChecks(), settings) && wasHealthy && settings.automaticRollback()) {
      Revision target = rollbackTarget(s);
      if (target != null) {
        String reason = CheckVerdicts.describeRollbackTrips(s.getChecks(), settings);
        List<String> trips = CheckVerdicts.rollbackTrips(s.getChecks(), settings);
        ServiceRollbacks.Scope scope = ServiceRollbacks.of(settings, s, obs);
        quarantineCurrent(s, Reason.HealthCheckFailed, reason, now);
        Action rollback = startRollback(s, settings, target, ActionKind.Rollback, Trigger.HealthCheck,
            describe(s.getCurrent()) + " turned unhealthy: " + reason, now, failingServices(obs), scope, now);
        nameTrips(s, null, trips);
        return finish(s, rollback, blocking, obs, now, ACTIVE_REQUEUE);
      }
    }
    // A rollback or failure stays visible until the spec names what runs.
    boolean keep = (phase == Phase.RolledBack || phase == Phase.Failed)
        && (!runningDesired || BackupSteps.lastRestoreFailed(s) || ServiceRollbacks.partial(s));
    if (!keep) {
      s.setPhase(ServiceRollbacks.partial(s) ? Phase.PartiallyRolledBack : tripped ? Phase.Degraded : Phase.Healthy);
    }
    return finish(s, Action.NONE, blocking, obs, now, settings.interval());
  }

  private Action startDeploy(
      StagingReleaseStatus s, ReleaseSettings settings, Revision target, Trigger trigger, Instant now) {
    Operation op = operation(ActionKind.Deploy, trigger, s.getCurrent(), target,
        "deploy " + describe(target), now, null);
    s.setOperation(op);
    s.setPhase(Phase.Deploying);
    boolean backup = settings.backup() != null && settings.backup().beforeDeploy() && s.getCurrent() != null;
    if (backup) {
      op.setStage(OperationStage.BackingUp);
      op.setBackup(BackupSteps.newName(s, s.getCurrent(), now));
      s.setPhase(Phase.BackingUp);
    }
    addHistory(s, op);
    s.setChecks(CheckTracker.reset(settings));
    if (backup) {
      return BackupSteps.backupAction(s, op);
    }
    return new Action.Apply(ActionKind.Deploy, op.getTarget(), false);
  }

  private Action startRollback(
      StagingReleaseStatus s,
      ReleaseSettings settings,
      Revision target,
      ActionKind kind,
      Trigger trigger,
      String reason,
      Instant detected,
      List<String> services,
      Instant now) {
    return startRollback(s, settings, target, kind, trigger, reason, detected, services, ServiceRollbacks.Scope.WHOLE,
        now);
  }

  private Action startRollback(
      StagingReleaseStatus s,
      ReleaseSettings settings,
      Revision target,
      ActionKind kind,
      Trigger trigger,
      String reason,
      Instant detected,
      List<String> services,
      ServiceRollbacks.Scope scope,
      Instant now) {
    if (scope.note() != null) {
      reason = reason + "; " + scope.note();
    }
    Operation op = operation(kind, trigger, s.getCurrent(), target, reason, now, detected);
    op.setServices(new ArrayList<>(scope.services()));
    // A gradual rollback leaves the database to the services that stay on the new commit.
    if (kind == ActionKind.Rollback && settings.backup() != null && settings.backup().restoreOnRollback()
        && !scope.partial()) {
      op.setBackup(BackupSteps.takenBefore(s, s.getCurrent()));
    }
    s.setOperation(op);
    s.setPhase(Phase.RollingBack);
    addHistory(s, op);
    RollbackReport report = new RollbackReport();
    report.setTrigger(trigger);
    report.setReason(reason);
    report.setFrom(copyRevision(s.getCurrent()));
    report.setTo(copyRevision(target));
    report.setDetectionTime(Timestamps.format(detected));
    report.setStartTime(Timestamps.format(now));
    report.setServicesAffected(new ArrayList<>(scope.partial() ? scope.services() : services));
    report.setResult(Result.InProgress);
    s.setLastRollback(report);
    s.setChecks(CheckTracker.reset(settings));
    Action preRollback = BackupSteps.startBeforeRollback(s, settings, op, now);
    if (preRollback != null) {
      return preRollback;
    }
    return new Action.Apply(kind, op.getTarget(), kind == ActionKind.EmergencyRollback, op.getServices());
  }

  /** Ends a failed operation: a failed deploy is quarantined and rolled back; a rollback stops. */
  private Action failOperation(
      StagingReleaseStatus s,
      ReleaseSettings settings,
      Reason reason,
      String message,
      List<String> services,
      Instant now) {
    return failOperation(s, settings, reason, message, services, ServiceRollbacks.Scope.WHOLE, now);
  }

  private Action failOperation(
      StagingReleaseStatus s,
      ReleaseSettings settings,
      Reason reason,
      String message,
      List<String> services,
      ServiceRollbacks.Scope scope,
      Instant now) {
    Operation op = s.getOperation();
    finishHistory(s, op, Result.Failed, message, now);
    s.setOperation(null);
    if (op.getKind() != ActionKind.Deploy) {
      // Never roll back a rollback: that is how loops start.
      failRollbackReport(s, message, now);
      s.setPhase(Phase.Failed);
      return Action.NONE;
    }
    addQuarantine(s, op.getTarget(), reason, message, now);
    Revision target = rollbackTarget(s);
    if (settings.automaticRollback() && target != null) {
      Trigger trigger = reason == Reason.ComposeFailed ? Trigger.ApplyFailed : Trigger.VerificationFailed;
      return startRollback(s, settings, target, ActionKind.Rollback, trigger,
          describe(op.getTarget()) + " failed: " + message, now, services, scope, now);
    }
    s.setPhase(Phase.Failed);
    return Action.NONE;
  }

  void succeed(StagingReleaseStatus s, Instant now) {
    Operation op = s.getOperation();
    finishHistory(s, op, Result.Succeeded, null, now);
    s.setOperation(null);
    if (op.getKind() == ActionKind.Deploy) {
      s.setLastKnownGood(revision(op.getTarget(), now));
      s.setPhase(Phase.Healthy);
      return;
    }
    RollbackReport report = s.getLastRollback();
    report.setRecoveredTime(Timestamps.format(now));
    report.setRecoverySeconds(Timestamps.secondsBetween(report.getDetectionTime(), report.getRecoveredTime()));
    report.setResult(Result.Succeeded);
    // What a rollback reached (and, but for an emergency, verified again) is what runs well now.
    s.setLastKnownGood(RollbackTargets.asLastKnownGood(s, op.getTarget()));
    s.setPhase(ServiceRollbacks.partial(s) ? Phase.PartiallyRolledBack : Phase.RolledBack);
  }

  /** Where a rollback goes: last-known-good, or the newest earlier success when that is running. */
  static Revision rollbackTarget(StagingReleaseStatus s) {
    return RollbackTargets.defaultTarget(s);
  }

  private static QuarantinedCommit quarantine(StagingReleaseStatus s, String commit) {
    return s.getQuarantined().stream().filter(q -> q.getCommit().equals(commit)).findFirst().orElse(null);
  }

  private static void quarantineCurrent(StagingReleaseStatus s, Reason reason, String message, Instant now) {
    if (s.getCurrent() != null) {
      addQuarantine(s, s.getCurrent(), reason, message, now);
    }
  }

  static void addQuarantine(
      StagingReleaseStatus s, Revision revision, Reason reason, String message, Instant now) {
    if (quarantine(s, revision.getCommit()) != null) {
      return;
    }
    QuarantinedCommit q = new QuarantinedCommit();
    q.setCommit(revision.getCommit());
    q.setRef(revision.getRef());
    q.setReason(reason);
    q.setMessage(message);
    q.setSince(Timestamps.format(now));
    s.getQuarantined().add(q);
  }

  static Operation operation(
      ActionKind kind, Trigger trigger, Revision from, Revision target, String reason, Instant now, Instant detected) {
    Operation op = new Operation();
    op.setKind(kind);
    op.setTrigger(trigger);
    op.setStage(OperationStage.Applying);
    op.setFrom(copyRevision(from));
    op.setTarget(copyRevision(target));
    op.setReason(reason);
    op.setStartTime(Timestamps.format(now));
    op.setDetectionTime(Timestamps.format(detected));
    return op;
  }

  static void addHistory(StagingReleaseStatus s, Operation op) {
    HistoryEntry h = new HistoryEntry();
    h.setAction(op.getKind());
    h.setTrigger(op.getTrigger());
    h.setFrom(copyRevision(op.getFrom()));
    h.setTo(copyRevision(op.getTarget()));
    h.setStartTime(op.getStartTime());
    h.setResult(Result.InProgress);
    h.setReason(op.getReason());
    h.setBackup(op.getBackup());
    h.setServices(new ArrayList<>(op.getServices()));
    s.getHistory().add(0, h);
    while (s.getHistory().size() > HISTORY_LIMIT) {
      s.getHistory().remove(s.getHistory().size() - 1);
    }
  }

  /** Appends {@code note} to the operation's reason, its history entry and its rollback report. */
  private static void addNote(StagingReleaseStatus s, Operation op, String note) {
    op.setReason(op.getReason() == null ? note : op.getReason() + "; " + note);
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == op.getKind() && op.getStartTime().equals(h.getStartTime())) {
        h.setReason(op.getReason());
      }
    }
    if (op.getKind() != ActionKind.Deploy && s.getLastRollback() != null) {
      RollbackReport report = s.getLastRollback();
      report.setReason(report.getReason() == null ? note : report.getReason() + "; " + note);
    }
  }

  static void finishHistory(StagingReleaseStatus s, Operation op, Result result, String failure, Instant now) {
    for (HistoryEntry h : s.getHistory()) {
      if (h.getAction() == op.getKind() && op.getStartTime().equals(h.getStartTime())) {
        h.setResult(result);
        h.setEndTime(Timestamps.format(now));
        if (failure != null) {
          h.setReason(failure);
        }
        return;
      }
    }
  }

  /**
   * Names the tripped checks structurally: on the history entry of {@code failed} (a deploy or
   * rollback they failed; null when none failed), and on the rollback they started, if any, and its
   * report. A failed rollback's report keeps the trip that started it.
   */
  private static void nameTrips(StagingReleaseStatus s, Operation failed, List<String> tripped) {
    if (failed != null) {
      for (HistoryEntry h : s.getHistory()) {
        if (h.getAction() == failed.getKind() && failed.getStartTime().equals(h.getStartTime())) {
          h.setTrippedChecks(new ArrayList<>(tripped));
        }
      }
    }
    Operation started = s.getOperation();
    if (started != null && started != failed && started.getKind() != ActionKind.Deploy) {
      s.getHistory().get(0).setTrippedChecks(new ArrayList<>(tripped));
      s.getLastRollback().setTrippedChecks(new ArrayList<>(tripped));
    }
  }

  static void failRollbackReport(StagingReleaseStatus s, String message, Instant now) {
    RollbackReport report = s.getLastRollback();
    if (report != null) {
      report.setResult(Result.Failed);
      report.setReason(report.getReason() + "; rollback failed: " + message);
    }
  }

  private static List<String> failingServices(Observation obs) {
    Set<String> services = new LinkedHashSet<>();
    obs.checks().forEach(c -> services.addAll(c.failingServices()));
    return new ArrayList<>(services);
  }

  private static String pendingChecks(StagingReleaseStatus s) {
    List<String> parts = new ArrayList<>();
    for (CheckStatus c : s.getChecks()) {
      if (!Boolean.TRUE.equals(c.getPassing())) {
        parts.add(c.getName() + ": " + c.getMessage());
      }
    }
    return String.join("; ", parts);
  }

  private static Problem sourceProblem(SourceState source) {
    return source.ok() ? null : new Problem(source.errorReason(), source.errorMessage());
  }

  /**
   * The one place a spec that cannot be parsed becomes a status reason: say why, change nothing,
   * look again at the usual pace. Does not modify its arguments.
   */
  public Decision invalidSpec(
      StagingReleaseStatus previous, Observation obs, InvalidSpecException e, Instant now) {
    StagingReleaseStatus s = begin(previous, obs);
    return finish(s, Action.NONE, new Problem(Reason.InvalidSpec, e.getMessage()), obs, now,
        ReleaseSettings.DEFAULT_INTERVAL);
  }

  /** A copy of the previous status that has seen this observation's generation. */
  private static StagingReleaseStatus begin(StagingReleaseStatus previous, Observation obs) {
    StagingReleaseStatus s = copy(previous);
    if (s.getObservedGeneration() != null && s.getObservedGeneration() != obs.generation()) {
      // A failed backup holds its deploy back until the spec changes (or a retry is requested).
      s.getQuarantined().removeIf(q -> q.getReason() == Reason.BackupFailed);
    }
    s.setObservedGeneration(obs.generation());
    return s;
  }

  static Decision finish(
      StagingReleaseStatus s, Action action, Problem blocking, Observation obs, Instant now, Duration requeue) {
    RollbackTargets.keepLastKnownGoodUsable(s);
    if (s.getOperation() != null) {
      // What runs is about to change or is changing: there is nothing settled to have drifted from.
      s.getDrift().clear();
    }
    Conditions.apply(s, blocking, obs.generation(), now);
    return new Decision(s, action, requeue);
  }

  private static Revision revision(Revision r, Instant time) {
    Revision copy = copyRevision(r);
    copy.setTime(Timestamps.format(time));
    return copy;
  }

  private static String describe(Revision r) {
    return Conditions.describe(r);
  }

  private static Revision copyRevision(Revision r) {
    return r == null ? null : r.copy();
  }

  static StagingReleaseStatus copy(StagingReleaseStatus status) {
    return status == null ? new StagingReleaseStatus() : status.copy();
  }
}
