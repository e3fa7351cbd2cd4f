package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** spec.backup.beforeRollback: the broken version's data is dumped before the rollback touches it. */
class BeforeRollbackBackupTest {

  private ReleaseHarness h;
  private BackupSpec backup;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("pg_dump -U app app");
    backup.setRestoreCommand("psql -U app -d app");
    backup.setRestoreOnRollback(true);
    backup.setBeforeRollback(true);
    h.spec.setBackup(backup);
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  /** Deploys v2 (backing up v1's data first) and lets its checks fail. */
  private String brokenV2() {
    h.ref("v2").reconcile();
    String beforeDeploy = h.status.getOperation().getBackup();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    return beforeDeploy;
  }

  @Test
  void brokenDataIsDumpedBeforeLastKnownGoodIsAppliedAndNamedInTheReport() {
    String beforeDeploy = brokenV2();
    // The failing reconcile took the pre-rollback dump and nothing else: v1 is not applied yet.
    assertThat(h.applied).containsExactly(V1, V2);
    String pre = h.status.getLastRollback().getBackupBeforeRollback();
    assertThat(pre).isNotNull().isNotEqualTo(beforeDeploy);
    assertThat(h.backedUp).containsExactly(beforeDeploy, pre);
    assertThat(h.status.getBackups().get(0).getName()).isEqualTo(pre);
    assertThat(h.status.getBackups().get(0).getCommit()).isEqualTo(V2);
    assertThat(h.status.getBackups().get(0).getReason()).startsWith("before rolling back from");

    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    // The restore is of the backup taken before the deploy, never the pre-rollback one.
    assertThat(h.restored).containsExactly(beforeDeploy);
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getLastRollback().getBackupBeforeRollback()).isEqualTo(pre);
    assertThat(h.status.getHistory().get(0).getBackup()).isEqualTo(beforeDeploy);
  }

  @Test
  void failedPreRollbackDumpIsReportedAndTheRollbackGoesOn() {
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.nextBackup = BackupOutcome.failed("pg_dump exited with 1: connection refused");
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getLastRollback().getBackupBeforeRollback()).isNull();
    assertThat(h.status.getLastRollback().getBackupBeforeRollbackFailure())
        .endsWith("failed: pg_dump exited with 1: connection refused");
    assertThat(h.events).anyMatch(e -> e.reason() == ReleaseEvent.Kind.BackupFailed
        && e.message().startsWith("pre-rollback backup ") && e.message().endsWith("rolling back without it"));
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.restored).hasSize(1);
  }

  @Test
  void processKilledDuringThePreRollbackDumpTakesItAgainUnderTheSameName() {
    brokenV2();
    String pre = h.status.getLastRollback().getBackupBeforeRollback();
    // As if the process had died after recording the BackingUp stage: the recorded status before the dump.
    ReleaseHarness restarted = new ReleaseHarness();
    restarted.spec.setBackup(backup);
    restarted.now = h.now;
    restarted.status = h.recorded.get(h.recorded.size() - 2);
    assertThat(restarted.status.getOperation().getStage())
        .isEqualTo(dev.backstop.operator.api.v1alpha1.OperationStage.BackingUp);
    restarted.spec.getSource().setRef("v2");
    restarted.generation = h.generation;
    restarted.checks(Outcome.FAIL, "web").reconcile();
    assertThat(restarted.backedUp).containsExactly(pre);
  }

  @Test
  void beforeRollbackWithoutRestoreOnRollbackIsRefused() {
    BackupSpec spec = new BackupSpec();
    spec.setService("db");
    spec.setCommand("pg_dump");
    spec.setBeforeRollback(true);
    java.util.List<String> problems = new java.util.ArrayList<>();
    BackupSettings.from(problems, spec);
    assertThat(problems).containsExactly("spec.backup.beforeRollback needs spec.backup.restoreOnRollback: true;"
        + " without a restore nothing overwrites the data a rollback leaves");
  }
}
