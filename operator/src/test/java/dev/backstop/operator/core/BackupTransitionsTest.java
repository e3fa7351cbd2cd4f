package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backup and restore events, recorded the way the engine records: after deciding and after acting. */
class BackupTransitionsTest {

  private ReleaseHarness h;
  private BackupSpec backup;
  private final List<ReleaseEvent> events = new ArrayList<>();
  private BackupOutcome nextBackup = BackupOutcome.written(4321, "ab".repeat(32));
  private BackupOutcome nextRestore = BackupOutcome.restored();

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("pg_dump -U app app");
    backup.setRestoreCommand("psql -U app -d app");
    backup.setRestoreOnRollback(true);
    h.spec.setBackup(backup);
    h.settle();
  }

  /** One reconcile as ReleaseEngine runs it, collecting the events of both recorded statuses. */
  private void reconcile() {
    Observation obs = h.observation();
    Decision d = h.decider.decide(TestSettings.of("demo", h.spec), h.status, obs, h.now);
    events.addAll(Transitions.between(h.status, d.status()));
    Decision after = null;
    if (d.action() instanceof Action.Backup b) {
      after = h.decider.completeBackup(TestSettings.of("demo", h.spec), d.status(), b, nextBackup, obs, h.now);
    } else if (d.action() instanceof Action.Restore r) {
      after = h.decider.completeRestore(TestSettings.of("demo", h.spec), d.status(), r, nextRestore, obs, h.now);
    } else if (d.action() instanceof Action.Apply a) {
      after = h.decider.complete(TestSettings.of("demo", h.spec), d.status(), a, ApplyOutcome.success(), obs, h.now);
    }
    if (after != null) {
      events.addAll(Transitions.between(d.status(), after.status()));
    }
    h.status = after == null ? d.status() : after.status();
    h.advance(Duration.ofSeconds(1));
  }

  private void reconcile(int times) {
    for (int i = 0; i < times; i++) {
      reconcile();
    }
  }

  private List<ReleaseEvent> of(Kind kind) {
    return events.stream().filter(e -> e.reason() == kind).collect(Collectors.toList());
  }

  @Test
  void aBackupTakenBeforeADeployIsReportedOnce() {
    h.ref("v2");
    reconcile(6);
    assertThat(of(Kind.BackupStarted)).hasSize(1);
    assertThat(of(Kind.BackupTaken)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(ReleaseEvent.Type.Normal);
      assertThat(e.message()).contains(h.status.getBackups().get(0).getName(), "1111111", "before deploying v2",
          "4321 bytes");
    });
    assertThat(of(Kind.BackupFailed)).isEmpty();
  }

  @Test
  void aFailedBackupIsReportedOnceAsABackupFailureNotAQuarantine() {
    nextBackup = BackupOutcome.failed("the database service db is not running");
    h.ref("v2");
    reconcile(6);
    assertThat(of(Kind.BackupFailed)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(ReleaseEvent.Type.Warning);
      assertThat(e.message()).contains("failed", "db is not running");
    });
    assertThat(of(Kind.CommitQuarantined)).isEmpty();
    assertThat(of(Kind.BackupTaken)).isEmpty();
  }

  @Test
  void restoresDoneAndFailedAreReportedOnceEach() {
    h.ref("v2");
    reconcile(6);
    String name = h.status.getBackups().get(0).getName();

    backup.setRestoreFrom(name);
    h.generation++;
    reconcile(5);
    assertThat(of(Kind.RestoreSucceeded)).singleElement()
        .satisfies(e -> assertThat(e.message()).contains(name));

    backup.setRestoreFrom("no-such-backup");
    h.generation++;
    reconcile(5);
    assertThat(of(Kind.RestoreFailed)).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("no-such-backup", "not touched"));
    assertThat(of(Kind.DeployFailed)).as("a failed restoreFrom is not a failed deploy").isEmpty();
    assertThat(of(Kind.RestoreSucceeded)).hasSize(1);
  }

  @Test
  void theRestoreOfARollbackIsReported() {
    h.ref("v2");
    reconcile(3);
    h.checks(Outcome.FAIL, "web");
    reconcile(1);
    h.checks(Outcome.PASS);
    reconcile(5);
    assertThat(of(Kind.RollbackSucceeded)).hasSize(1);
    assertThat(of(Kind.RestoreSucceeded)).singleElement()
        .satisfies(e -> assertThat(e.message()).contains(h.status.getBackups().get(0).getName()));
  }
}
