package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.Decision;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.PreDeployTag;
import dev.backstop.operator.core.ReleaseDecider;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Redactor;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.SourceState;
import dev.backstop.operator.core.TagOutcome;
import dev.backstop.operator.core.Transitions;
import dev.backstop.operator.engine.Recorder.RecordFailedException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * One reconcile of one release, the same for every driver: parse the spec once, observe, decide
 * (the pure core), record, act (one step at most), record again. Nothing is acted on unless the
 * status that announces it is durable.
 */
public final class ReleaseLoop {

  private final Observer observer;
  private final Actuator actuator;
  private final Clock clock;
  private final ReleaseDecider decider = new ReleaseDecider();
  private final FaultPoints faults;
  private final Redactor redactor;

  public ReleaseLoop(Observer observer, Actuator actuator, Clock clock) {
    this(observer, actuator, clock, FaultPoints.NONE);
  }

  /** A loop that pauses at {@code faults}' step: for the fault-injection suite only. */
  public ReleaseLoop(Observer observer, Actuator actuator, Clock clock, FaultPoints faults) {
    this(observer, actuator, clock, faults, Redactor.patterns());
  }

  private ReleaseLoop(
      Observer observer, Actuator actuator, Clock clock, FaultPoints faults, Redactor redactor) {
    this.observer = observer;
    this.actuator = actuator;
    this.clock = clock;
    this.faults = faults;
    this.redactor = redactor;
  }

  /** This loop, also redacting {@code secrets} of the process (e.g. its own git token) everywhere. */
  public ReleaseLoop redacting(Collection<String> secrets) {
    return new ReleaseLoop(observer, actuator, clock, faults, redactor.with(secrets));
  }

  /** The redactor for what belongs to no release: the patterns and the process's own secrets. */
  public Redactor redactor() {
    return redactor;
  }

  /** The redactor for {@code release}: the process's secrets plus the ones its Secrets hold. */
  public Redactor redactor(ReleaseInput release) {
    return redactor.with(release.access().secretValues());
  }

  /**
   * Reconciles once.
   *
   * @param previous the last status that was recorded durably, or null
   * @return when to reconcile again at the latest
   * @throws RecordFailedException when a status could not be recorded; if it was the one before an
   *     action, the action was not taken, and the caller retries with backoff
   */
  public Duration reconcile(ReleaseInput release, StagingReleaseStatus previous, Recorder recorder)
      throws RecordFailedException {
    // Everything recorded or told passes the release's redactor; the core works on the originals.
    recorder = new RedactingRecorder(recorder, redactor(release));
    ReleaseSettings settings;
    try {
      settings = settings(release);
    } catch (InvalidSpecException e) {
      Observation obs = blocked(release, SourceState.failed(Reason.InvalidSpec, e.getMessage(), false), null);
      Decision rejected = decider.invalidSpec(previous, obs, e, clock.instant());
      record(recorder, previous, rejected.status());
      return rejected.requeueAfter();
    }
    faults.at("resolve");
    Observation.Problem denied = release.access().problem();
    Observation obs = denied != null
        ? blocked(release, SourceState.failed(denied.reason(), denied.message(), false), denied)
        : observer.observe(release, settings, previous).withEnv(release.access().env());
    Decision decision = decider.decide(settings, previous, obs, clock.instant());
    record(recorder, previous, decision.status());
    faults.at(FaultPoints.before(decision));
    Decision after = act(release, settings, decision, obs, recorder);
    return after.requeueAfter();
  }

  /** Takes the decided action (the status announcing it is durable) and records its outcome. */
  private Decision act(
      ReleaseInput release, ReleaseSettings settings, Decision decision, Observation obs, Recorder recorder)
      throws RecordFailedException {
    StagingReleaseStatus decided = decision.status();
    Decision after;
    if (decision.action() instanceof Action.Backup backup) {
      BackupOutcome outcome = actuator.backup(release, settings, backup);
      faults.at(FaultPoints.after(backup));
      after = decider.completeBackup(settings, decided, backup, outcome, obs, clock.instant());
      record(recorder, decided, after.status());
      if (after.action() instanceof Action.DeleteBackups expired) {
        actuator.deleteBackups(release, settings, expired);
      }
    } else if (decision.action() instanceof Action.Restore restore) {
      BackupOutcome outcome = actuator.restore(release, settings, restore);
      faults.at(FaultPoints.after(restore));
      after = decider.completeRestore(settings, decided, restore, outcome, obs, clock.instant());
      record(recorder, decided, after.status());
    } else if (decision.action() instanceof Action.Apply apply) {
      java.util.Optional<PreDeployTag.Tag> tag = PreDeployTag.before(release.spec(), decided, apply);
      if (tag.isPresent()) {
        TagOutcome tagged = actuator.tag(release, settings, tag.get().commit(), tag.get().name());
        PreDeployTag.events(tag.get(), tagged).forEach(recorder::event);
      }
      ApplyOutcome outcome = actuator.apply(release, settings, apply);
      faults.at(FaultPoints.after(apply));
      after = decider.complete(settings, decided, apply, outcome, obs, clock.instant());
      record(recorder, decided, after.status());
      if (outcome.ok()) {
        if (outcome.note() != null) {
          recorder.event(new ReleaseEvent(ReleaseEvent.Type.Warning, ReleaseEvent.Kind.ImagesRebuilt, outcome.note()));
        }
        actuator.retainImages(release, settings, after.status());
      }
    } else {
      after = decision;
    }
    return after;
  }

  /**
   * Takes the release's stack down, for deletion with the Down policy.
   *
   * @throws Actuator.ActionFailedException when the spec cannot be read or `compose down` failed
   */
  public void tearDown(ReleaseInput release, StagingReleaseStatus status) throws Actuator.ActionFailedException {
    ReleaseSettings settings;
    try {
      settings = settings(release);
    } catch (InvalidSpecException e) {
      throw new Actuator.ActionFailedException(e.getMessage(), e);
    }
    actuator.down(release, settings, status);
  }

  /**
   * The release's settings. A parser bug must not crash the reconcile into a stack trace every
   * requeue and leave the release without a status: it is reported as an invalid spec instead.
   */
  private static ReleaseSettings settings(ReleaseInput release) throws InvalidSpecException {
    try {
      return ReleaseSettings.from(release.name(), release.spec());
    } catch (RuntimeException e) {
      throw new InvalidSpecException(List.of("spec could not be read (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check every field against the CRD"));
    }
  }

  private static Observation blocked(ReleaseInput release, SourceState source, Observation.Problem problem) {
    return new Observation(release.generation(), source, List.of(), List.of(), problem, release.requests());
  }

  /** Records first, then tells: an event never announces a state that was not recorded. */
  private static void record(Recorder recorder, StagingReleaseStatus before, StagingReleaseStatus after)
      throws RecordFailedException {
    recorder.record(after);
    // Compared as recorded: a message that differs from the last only by a secret is no transition.
    if (recorder instanceof RedactingRecorder redacting) {
      before = redacting.redact(before);
      after = redacting.redact(after);
    }
    for (ReleaseEvent e : Transitions.between(before, after)) {
      recorder.event(e);
    }
  }
}
