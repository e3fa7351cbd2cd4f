package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.engine.Actuator;
import dev.backstop.operator.engine.Observer;
import dev.backstop.operator.engine.Recorder;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.engine.ReleaseLoop;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the real {@link ReleaseLoop} (and so the real decider) with a fake clock, scripted
 * observations and an actuator that only records: the refs point at fake commits, and each
 * reconcile's check outcome is set by the test. Acting takes half a second of fake time.
 */
final class ReleaseHarness {

  static final String V1 = "1111111111111111111111111111111111111111";
  static final String V2 = "2222222222222222222222222222222222222222";
  static final String V3 = "3333333333333333333333333333333333333333";

  final ReleaseDecider decider = new ReleaseDecider();
  final StagingReleaseSpec spec = new StagingReleaseSpec();
  final Map<String, String> refs = new HashMap<>(Map.of("v1", V1, "v2", V2, "v3", V3));
  final Map<String, String> requests = new HashMap<>();
  Instant now = Instant.parse("2026-11-26T10:00:00Z");
  StagingReleaseStatus status;
  Outcome outcome = Outcome.PASS;
  List<String> failing = List.of();
  ApplyOutcome nextApply = ApplyOutcome.success();
  Observation.Problem dockerError;
  /** When set, resolving the ref fails like this (e.g. the remote is gone); no fetch succeeded. */
  Observation.Problem sourceError;

  /** Containers the next reconcile observes, and what the running commit renders (null: unknown). */
  List<ContainerState> containers = List.of();
  Map<String, Drift.Expected> rendered;

  /** The stack variables the driver resolved for the next reconcile. */
  StackEnv env = StackEnv.NONE;
  long generation = 1;
  Decision last;
  BackupOutcome nextBackup = BackupOutcome.written(1234, "ab".repeat(32));
  BackupOutcome nextRestore = BackupOutcome.restored();
  /** Backups taken, restored and deleted, by name, in order. */
  final List<String> backedUp = new ArrayList<>();
  final List<String> restored = new ArrayList<>();
  final List<String> deleted = new ArrayList<>();
  /** Pre-deploy tags made ("NAME COMMIT"), in order, and what the next one does. */
  final List<String> tags = new ArrayList<>();
  TagOutcome nextTag = TagOutcome.pushed(true);
  /** Commits applied, in order: what the stack would have run. */
  final List<String> applied = new ArrayList<>();
  /** Every status recorded, in order, and every event told. */
  final List<StagingReleaseStatus> recorded = new ArrayList<>();
  final List<ReleaseEvent> events = new ArrayList<>();
  /** How many of the next status writes fail, as a full disk or a refusing API server would. */
  int failingWrites;
  /** When 0 or more: that many writes succeed, then one fails. */
  int writesBeforeFailure = -1;

  // The first action the actuator was asked for in the current reconcile.
  private Action acted;

  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  private final Observer observer = (release, settings, previous) -> observation();

  private final Actuator actuator = new Actuator() {
    @Override
    public ApplyOutcome apply(ReleaseInput release, ReleaseSettings settings, Action.Apply apply) {
      acted(apply);
      if (nextApply.ok() || nextApply.touched()) {
        applied.add(apply.target().getCommit());
      }
      return nextApply;
    }

    @Override
    public TagOutcome tag(ReleaseInput release, ReleaseSettings settings, String commit, String name) {
      tags.add(name + " " + commit);
      return nextTag;
    }

    @Override
    public BackupOutcome backup(ReleaseInput release, ReleaseSettings settings, Action.Backup backup) {
      acted(backup);
      if (nextBackup.ok()) {
        backedUp.add(backup.name());
      }
      return nextBackup;
    }

    @Override
    public BackupOutcome restore(ReleaseInput release, ReleaseSettings settings, Action.Restore restore) {
      acted(restore);
      restored.add(restore.name());
      return nextRestore;
    }

    @Override
    public void deleteBackups(ReleaseInput release, ReleaseSettings settings, Action.DeleteBackups expired) {
      deleted.addAll(expired.names());
    }

    @Override
    public void retainImages(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus s) {}

    @Override
    public void down(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus s) {}
  };

  private final Recorder recorder = new Recorder() {
    @Override
    public void record(StagingReleaseStatus s) throws RecordFailedException {
      boolean fail = failingWrites > 0 || writesBeforeFailure == 0;
      if (writesBeforeFailure >= 0) {
        writesBeforeFailure--;
      }
      if (fail) {
        failingWrites = Math.max(failingWrites - 1, 0);
        throw new RecordFailedException("disk full", null);
      }
      status = s;
      recorded.add(s);
    }

    @Override
    public void event(ReleaseEvent e) {
      events.add(e);
    }
  };

  final ReleaseLoop loop = new ReleaseLoop(observer, actuator, clock);

  ReleaseHarness() {
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("v1");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setProgressDeadline("30s");
    health.setInterval("5s");
    spec.setHealth(health);
  }

  ReleaseHarness ref(String ref) {
    spec.getSource().setRef(ref);
    generation++;
    return this;
  }

  ReleaseHarness checks(Outcome outcome, String... failingServices) {
    this.outcome = outcome;
    this.failing = List.of(failingServices);
    return this;
  }

  ReleaseHarness advance(Duration d) {
    now = now.plus(d);
    return this;
  }

  private void acted(Action action) {
    if (acted == null) {
      acted = action;
    }
    now = now.plusMillis(500);
  }

  /**
   * One reconcile of the real loop: decide, record, act (recorded in {@link #applied} and the
   * like), record again. {@link #last} holds the status recorded last, the first action taken, and
   * the requeue.
   */
  Decision reconcile() {
    acted = null;
    try {
      Duration requeue = loop.reconcile(
          new ReleaseInput("default/demo", "demo", spec, generation, requests, Path.of("/nonexistent"),
              dev.backstop.operator.engine.Access.of(env)),
          status, recorder);
      last = new Decision(status, acted == null ? Action.NONE : acted, requeue);
    } catch (Recorder.RecordFailedException e) {
      last = new Decision(status, acted == null ? Action.NONE : acted, null);
    }
    return last;
  }

  /** Reconciles until nothing is in flight, advancing the clock by a second each time. */
  Decision settle() {
    for (int i = 0; i < 100; i++) {
      reconcile();
      if (status.getOperation() == null && last.action() instanceof Action.None) {
        return last;
      }
      advance(Duration.ofSeconds(1));
    }
    throw new AssertionError("did not settle: " + status.getPhase());
  }

  Observation observation() {
    String ref = spec.getSource().getRef();
    String commit = refs.get(ref);
    SourceState source =
        sourceError != null
            ? SourceState.failed(sourceError.reason(), sourceError.message(), false)
            : commit != null
            ? SourceState.resolved(commit, true)
            : SourceState.failed(Reason.RefNotFound, "ref '" + ref + "' not found", true);
    CheckResult result = new CheckResult("services", outcome, "x", outcome.name(), failing);
    return new Observation(generation, source, containers, dockerError == null ? List.of(result) : List.of(),
        dockerError, requests).withRendered(rendered);
  }

  /** The backup most decider tests use: pg_dump before deploys, psql restore on rollback. */
  static BackupSpec restoringBackup() {
    BackupSpec backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("pg_dump -U app app");
    backup.setRestoreCommand("psql -U app -d app");
    backup.setRestoreOnRollback(true);
    return backup;
  }
}
