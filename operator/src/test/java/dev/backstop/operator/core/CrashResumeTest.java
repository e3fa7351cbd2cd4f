package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A process stopped in the middle of a step (the status announcing the step was recorded, its
 * outcome never was) resumes it on restart, says so in history, and judges the stack only on what
 * it shows after the step.
 */
class CrashResumeTest {

  private final ReleaseHarness h = new ReleaseHarness();

  /** v1 healthy, v2 deployed and failing, the rollback's apply taken but its outcome lost. */
  private void killedWhileRollingBack() {
    h.settle();
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(1));
    h.writesBeforeFailure = 1;
    h.checks(Outcome.FAIL, "web").reconcile();
    assertThat(h.status.getOperation().getKind()).isEqualTo(ActionKind.Rollback);
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Applying);
    assertThat(h.status.getOperation().getActingSince()).as("recorded before acting").isNotNull();
  }

  @Test
  void aRollbackResumedAfterAKillIsNotFailedByContainersThatWereNotUpYet() {
    killedWhileRollingBack();
    // The restarted process looks while compose is recreating web: it has no healthy container yet.
    h.advance(Duration.ofSeconds(5)).checks(Outcome.FAIL, "web").reconcile();
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Verifying);
    h.advance(Duration.ofSeconds(1)).checks(Outcome.PENDING).reconcile();
    assertThat(h.status.getPhase()).as("a healthcheck still starting is not yet, not failed")
        .isEqualTo(Phase.RollingBack);
    h.advance(Duration.ofSeconds(1)).checks(Outcome.PASS).settle();

    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.applied).containsExactly(V1, V2, V1, V1);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V2);
  }

  @Test
  void historyNamesTheInterruptedStep() {
    killedWhileRollingBack();
    h.advance(Duration.ofSeconds(5)).checks(Outcome.PASS).settle();

    HistoryEntry rollback = h.status.getHistory().get(0);
    assertThat(rollback.getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(rollback.getResult()).isEqualTo(Result.Succeeded);
    assertThat(rollback.getInterruptions()).containsExactly("interrupted while applying; resumed");
    assertThat(rollback.getReason()).endsWith("; interrupted while applying; resumed");
    assertThat(h.status.getHistory()).extracting(HistoryEntry::getInterruptions)
        .filteredOn(i -> !i.isEmpty()).hasSize(1);
  }

  @Test
  void aStepThatEndedNormallyIsNotCalledInterrupted() {
    BackupSpec backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("pg_dump -U app app");
    backup.setRestoreCommand("psql -U app -d app");
    backup.setRestoreOnRollback(true);
    h.spec.setBackup(backup);
    h.settle();
    h.ref("v2").advance(Duration.ofSeconds(1)).reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
    h.advance(Duration.ofSeconds(1)).checks(Outcome.FAIL, "web").reconcile();
    h.advance(Duration.ofSeconds(1)).checks(Outcome.PASS).settle();

    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.restored).hasSize(1);
    assertThat(h.status.getHistory()).allMatch(e -> e.getInterruptions().isEmpty());
    assertThat(h.status.getOperation()).isNull();
  }

  @Test
  void aRestoreCutOffIsNotRunAgainAndHistorySaysItWasInterrupted() {
    BackupSpec backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("pg_dump -U app app");
    backup.setRestoreCommand("psql -U app -d app");
    backup.setRestoreOnRollback(true);
    h.spec.setBackup(backup);
    h.settle();
    h.ref("v2").advance(Duration.ofSeconds(1)).reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
    h.advance(Duration.ofSeconds(1)).checks(Outcome.FAIL, "web").reconcile();
    h.checks(Outcome.PASS);
    for (int i = 0; i < 10 && h.restored.isEmpty(); i++) {
      h.advance(Duration.ofSeconds(1));
      h.writesBeforeFailure = h.status.getOperation() != null
          && h.status.getOperation().getKind() == ActionKind.Rollback
          && h.status.getOperation().getStage() == OperationStage.Verifying ? 1 : -1;
      h.reconcile();
    }
    assertThat(h.restored).hasSize(1);
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Restoring);
    h.writesBeforeFailure = -1;

    h.advance(Duration.ofSeconds(5)).settle();
    assertThat(h.restored).as("never restored twice").hasSize(1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    HistoryEntry rollback = h.status.getHistory().get(0);
    assertThat(rollback.getRestore()).isEqualTo(Result.Failed);
    assertThat(rollback.getInterruptions()).containsExactly("interrupted while restoring; not restored again");
    assertThat(rollback.getReason()).contains("interrupted");
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
  }
}
