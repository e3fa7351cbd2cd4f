package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An engine or host fault met while dumping or restoring is retried with capped backoff and held
 * against nothing; the dump command's own failure still stops the deploy.
 */
class BackupEngineFaultTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    h.spec.setBackup(ReleaseHarness.restoringBackup());
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @ParameterizedTest
  @EnumSource(value = Reason.class, names = {"DockerUnavailable", "DiskFull"})
  void aBackupTheEngineFailsIsTakenAgainWithBackoffAndTheCommitIsNotQuarantined(Reason fault) {
    h.nextBackup = BackupOutcome.engineFailed(fault, "the database service db of project demo is not running");
    h.ref("v2").reconcile();

    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.BackingUp);
    assertThat(h.status.getEngineFault().getReason()).isEqualTo(fault);
    assertThat(h.status.getEngineFault().getMessage()).contains("could not be taken", "not running");
    assertThat(h.last.requeueAfter()).isEqualTo(EngineRetry.backoff(1));
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.InProgress);

    // Inside the backoff nothing runs, whatever the observation says.
    assertThat(h.advance(Duration.ofSeconds(1)).reconcile().action()).isEqualTo(Action.NONE);
    // Retried at each backoff, twice as long each time; Stalled once the bound is reached.
    for (int attempt = 2; attempt <= EngineRetry.STALLED_ATTEMPTS; attempt++) {
      h.advance(EngineRetry.backoff(attempt - 1)).reconcile();
      assertThat(h.last.action()).isInstanceOf(Action.Backup.class);
      assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(attempt);
    }
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Stalled).getReason()).isEqualTo(fault);
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.applied).containsExactly(V1);

    // The engine is back: the backup is taken and the deploy goes on.
    h.nextBackup = BackupOutcome.written(10, "cd".repeat(32));
    h.advance(EngineRetry.MAX_BACKOFF).settle();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getEngineFault()).isNull();
    assertThat(h.status.getBackups()).hasSize(1);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Ready).getStatus())
        .isEqualTo(ConditionStatus.True);
  }

  @Test
  void aFailingDumpCommandStaysTheBackupsFailure() {
    h.nextBackup = BackupOutcome.failed("`pg_dump -U app app` exited with 1: role \"app\" does not exist");
    h.ref("v2").reconcile();

    assertThat(h.status.getOperation()).isNull();
    assertThat(h.status.getEngineFault()).isNull();
    assertThat(h.status.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.BackupFailed));
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Ready).getReason())
        .isEqualTo(Reason.BackupFailed);
  }

  @Test
  void aRestoreTheEngineFailsBeforeItRanIsTakenAgainAndTheRollbackSucceeds() {
    h.ref("v2").reconcile();
    String before = h.status.getOperation().getBackup();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.nextRestore = BackupOutcome.engineFailed(Reason.DockerUnavailable,
        "cannot reach the Docker engine at unix:///var/run/docker.sock: connection refused");
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.restored).containsExactly(before);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Restoring);
    assertThat(h.status.getEngineFault().getMessage()).contains("could not start", "connection refused");
    assertThat(h.advance(Duration.ofSeconds(1)).reconcile().action()).isEqualTo(Action.NONE);

    h.nextRestore = BackupOutcome.restored();
    h.advance(EngineRetry.backoff(1)).reconcile();
    assertThat(h.last.action()).isInstanceOf(Action.Restore.class);
    assertThat(h.restored).containsExactly(before, before);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getHistory().get(0).getRestore()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getEngineFault()).isNull();
  }

  @Test
  void aRestoreCutOffMidWayIsNeverRetried() {
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.nextRestore = BackupOutcome.failed("`psql` did not finish within the 1h spec.backup.timeout and was stopped;"
        + " it was killed; the database may be partly restored");
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Stalled).getMessage())
        .contains("spec.backup.timeout", "partly restored");
    for (int i = 0; i < 3; i++) {
      h.advance(EngineRetry.MAX_BACKOFF).reconcile();
    }
    assertThat(h.restored).hasSize(1);
  }
}
