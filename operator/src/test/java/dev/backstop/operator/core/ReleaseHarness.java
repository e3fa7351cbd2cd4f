package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives {@link ReleaseDecider} the way a driver does, with a fake clock and scripted
 * observations: the refs point at fake commits, and each reconcile's check outcome is set by the
 * test.
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
  ApplyOutcome nextApply = ApplyOutcome.success(List.of("web"));
  Observation.Problem dockerError;
  long generation = 1;
  Decision last;
  BackupOutcome nextBackup = BackupOutcome.written(1234, "ab".repeat(32));
  BackupOutcome nextRestore = BackupOutcome.restored();
  /** Backups taken, restored and deleted, by name, in order. */
  final java.util.List<String> backedUp = new java.util.ArrayList<>();
  final java.util.List<String> restored = new java.util.ArrayList<>();
  final java.util.List<String> deleted = new java.util.ArrayList<>();
  /** Commits applied, in order: what the stack would have run. */
  final java.util.List<String> applied = new java.util.ArrayList<>();

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

  /** One reconcile: decide, record, act (apply recorded in {@link #applied}), complete. */
  Decision reconcile() {
    Observation obs = observation();
    Decision d = decider.decide("demo", spec, status, obs, now);
    status = d.status();
    last = d;
    if (d.action() instanceof Action.Apply apply) {
      ApplyOutcome result = nextApply;
      if (result.ok() || result.touched()) {
        applied.add(apply.target().getCommit());
      }
      now = now.plusMillis(500);
      Decision after = decider.complete("demo", spec, status, apply, result, obs, now);
      status = after.status();
      last = new Decision(after.status(), d.action(), after.requeueAfter());
    } else if (d.action() instanceof Action.Backup backup) {
      if (nextBackup.ok()) {
        backedUp.add(backup.name());
      }
      now = now.plusMillis(500);
      Decision after = decider.completeBackup("demo", spec, status, backup, nextBackup, obs, now);
      status = after.status();
      if (after.action() instanceof Action.DeleteBackups delete) {
        deleted.addAll(delete.names());
      }
      last = new Decision(after.status(), d.action(), after.requeueAfter());
    } else if (d.action() instanceof Action.Restore restore) {
      restored.add(restore.name());
      now = now.plusMillis(500);
      Decision after = decider.completeRestore("demo", spec, status, restore, nextRestore, obs, now);
      status = after.status();
      last = new Decision(after.status(), d.action(), after.requeueAfter());
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
        commit != null
            ? SourceState.resolved(commit, true)
            : SourceState.failed(Reason.RefNotFound, "ref '" + ref + "' not found", true);
    CheckResult result = new CheckResult("services", outcome, "x", outcome.name(), failing);
    return new Observation(generation, source, List.of(), dockerError == null ? List.of(result) : List.of(), dockerError, requests);
  }
}
