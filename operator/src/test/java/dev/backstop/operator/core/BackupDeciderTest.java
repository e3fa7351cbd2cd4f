package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backup and restore transitions of the decider, with the fake clock harness. */
class BackupDeciderTest {

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
    h.spec.setBackup(backup);
  }

  private Condition condition(ConditionType type) {
    return Conditions.find(h.status.getConditions(), type);
  }

  private void healthyOnV1() {
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void firstDeployTakesNoBackupBecauseNothingRunsYet() {
    healthyOnV1();
    assertThat(h.backedUp).isEmpty();
    assertThat(h.applied).containsExactly(V1);
  }

  @Test
  void deployOfANewCommitBacksUpFirstThenApplies() {
    healthyOnV1();
    h.ref("v2").reconcile();

    assertThat(h.last.action()).isInstanceOf(Action.Backup.class);
    Action.Backup taken = (Action.Backup) h.last.action();
    assertThat(taken.commit()).isEqualTo(V1);
    assertThat(taken.name()).isEqualTo("20261126-100001-1111111");
    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Applying);
    assertThat(h.status.getBackups()).singleElement().satisfies(b -> {
      assertThat(b.getName()).isEqualTo(taken.name());
      assertThat(b.getCommit()).isEqualTo(V1);
      assertThat(b.getSha256()).isEqualTo("ab".repeat(32));
      assertThat(b.getSize()).isEqualTo(1234L);
    });
    assertThat(h.status.getLastKnownGood().getBackup()).isEqualTo(taken.name());

    h.advance(Duration.ofSeconds(1)).settle();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getHistory().get(0).getBackup()).isEqualTo(taken.name());
  }

  @Test
  void backupPhaseIsRecordedBeforeTheDumpRuns() {
    healthyOnV1();
    Decision d = h.decider.decide(TestSettings.of("demo", h.ref("v2").spec), h.status, h.observation(), h.now);
    assertThat(d.status().getPhase()).isEqualTo(Phase.BackingUp);
    assertThat(d.status().getOperation().getStage()).isEqualTo(OperationStage.BackingUp);
    assertThat(d.status().getOperation().getBackup()).isNotBlank();

    // Killed mid-dump: the next decide takes the same backup again, under the same name.
    Decision resumed = h.decider.decide(TestSettings.of("demo", h.spec), d.status(), h.observation(), h.now.plusSeconds(5));
    assertThat(resumed.action()).isEqualTo(new Action.Backup(d.status().getOperation().getBackup(), V1,
        "before deploying v2 (2222222)"));
  }

  @Test
  void failedBackupLeavesTheStackAloneAndWaitsForASpecChangeOrRetry() {
    healthyOnV1();
    h.nextBackup = BackupOutcome.failed("pg_dump exited with 1: database \"nope\" does not exist");
    h.ref("v2").reconcile();

    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getOperation()).isNull();
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.BackupFailed);
    assertThat(condition(ConditionType.Ready).getMessage()).contains("does not exist");
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Failed);

    for (int i = 0; i < 5; i++) {
      assertThat(h.advance(Duration.ofSeconds(30)).reconcile().action()).isEqualTo(Action.NONE);
    }
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.BackupFailed);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);

    // Fixing the backup command is a spec change: the deploy is tried again, with a backup.
    h.nextBackup = BackupOutcome.written(10, "cd".repeat(32));
    backup.setCommand("pg_dump -U app app2");
    h.generation++;
    h.advance(Duration.ofSeconds(1)).settle();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.backedUp).hasSize(1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void failedBackupSaysWhatFailedAndWhatToDoNotThatTheCommitIsQuarantined() {
    healthyOnV1();
    h.nextBackup = BackupOutcome.failed("`pg_dump -U app app` exited with 1: database \"app\" does not exist");
    h.ref("v2").reconcile();

    for (int i = 0; i < 2; i++) {
      // The first status after the failure and every later one say the same.
      Condition stalled = condition(ConditionType.Stalled);
      assertThat(stalled.getReason()).isEqualTo(Reason.BackupFailed);
      assertThat(stalled.getMessage())
          .startsWith("the backup before deploying v2 (2222222) failed")
          .contains("running stack was left alone", "exited with 1", "Fix spec.backup or the database",
              "annotate backstop.dev/retry")
          .doesNotContain("quarantined");
      assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.BackupFailed);
      assertThat(condition(ConditionType.Ready).getMessage()).isEqualTo(stalled.getMessage());
      h.advance(Duration.ofSeconds(30)).reconcile();
    }
  }

  @Test
  void aHealthQuarantineKeepsItsWording() {
    healthyOnV1();
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    assertThat(condition(ConditionType.Stalled).getMessage()).startsWith("commit 2222222 (v2) is quarantined: ");
  }

  @Test
  void processKilledWhileBackingUpTakesTheSameBackupOnceAndThenDeploys() {
    healthyOnV1();
    // The driver records the BackingUp status, starts the dump, and is killed before completing.
    Decision recorded = h.decider.decide(TestSettings.of("demo", h.ref("v2").spec), h.status, h.observation(), h.now);
    String name = ((Action.Backup) recorded.action()).name();

    // A new process: a new decider that knows only the recorded status.
    ReleaseHarness restarted = new ReleaseHarness();
    restarted.spec.setBackup(backup);
    restarted.ref("v2");
    restarted.generation = h.generation;
    restarted.now = h.now;
    restarted.status = recorded.status();
    restarted.applied.addAll(h.applied);
    restarted.advance(Duration.ofSeconds(20)).reconcile();
    assertThat(restarted.last.action()).isEqualTo(new Action.Backup(name, V1, "before deploying v2 (2222222)"));
    restarted.advance(Duration.ofSeconds(1)).settle();

    assertThat(restarted.backedUp).containsExactly(name);
    assertThat(restarted.status.getBackups()).extracting(b -> b.getName()).containsExactly(name);
    assertThat(restarted.status.getHistory()).extracting(e -> e.getAction() + ":" + e.getResult() + ":" + e.getBackup())
        .containsExactly("Deploy:Succeeded:" + name, "Deploy:Succeeded:null");
    assertThat(restarted.applied).containsExactly(V1, V2);
  }

  @Test
  void retryRequestTriesAFailedBackupAgain() {
    healthyOnV1();
    h.nextBackup = BackupOutcome.failed("the database service db is not running");
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.applied).containsExactly(V1);

    h.nextBackup = BackupOutcome.written(10, "cd".repeat(32));
    h.requests.put(StagingRelease.RETRY_ANNOTATION, "1");
    h.advance(Duration.ofSeconds(1)).settle();
    assertThat(h.applied).containsExactly(V1, V2);
  }

  @Test
  void brokenDeployRollsBackThenRestoresTheBackupTakenBeforeIt() {
    healthyOnV1();
    h.ref("v2").reconcile();
    String before = h.status.getOperation().getBackup();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2);

    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.status.getOperation().getBackup()).isEqualTo(before);
    assertThat(h.restored).isEmpty();

    // Restoring waits until last-known-good (and with it the database service) is healthy.
    h.checks(Outcome.PENDING).advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.restored).isEmpty();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.last.action()).isEqualTo(new Action.Restore(before, "ab".repeat(32)));
    assertThat(h.restored).containsExactly(before);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getHistory().get(0).getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(h.status.getHistory().get(0).getRestore()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getHistory().get(0).getBackup()).isEqualTo(before);
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Succeeded);
  }

  @Test
  void rollbackWithoutRestoreOnRollbackLeavesTheDatabaseAlone() {
    backup.setRestoreOnRollback(false);
    healthyOnV1();
    h.ref("v2").settle();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofMinutes(1)).reconcile();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.backedUp).hasSize(1);
    assertThat(h.restored).isEmpty();
  }

  @Test
  void failedRestoreStallsWithTheBackupNameAndIsNotRetried() {
    healthyOnV1();
    h.ref("v2").reconcile();
    String before = h.status.getOperation().getBackup();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.nextRestore = BackupOutcome.failed("the file's SHA-256 differs from status.backups");
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.RestoreFailed);
    assertThat(condition(ConditionType.Stalled).getMessage()).contains(before, "SHA-256");
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.RestoreFailed);
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofSeconds(30)).reconcile();
    }
    assertThat(h.restored).containsExactly(before);
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
  }

  @Test
  void restartDuringARestoreStallsInsteadOfRestoringTwice() {
    healthyOnV1();
    h.ref("v2").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1));
    Decision d = h.decider.decide(TestSettings.of("demo", h.spec), h.status, h.observation(), h.now);
    assertThat(d.action()).isInstanceOf(Action.Restore.class);
    assertThat(d.status().getOperation().getStage()).isEqualTo(OperationStage.Restoring);

    // The process died with only the first record written.
    Decision resumed = h.decider.decide(TestSettings.of("demo", h.spec), d.status(), h.observation(), h.now.plusSeconds(3));
    assertThat(resumed.action()).isEqualTo(Action.NONE);
    assertThat(resumed.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(Conditions.find(resumed.status().getConditions(), ConditionType.Stalled).getMessage())
        .contains("partly restored");
  }

  @Test
  void restoreFromRestoresTheNamedBackupOncePerValue() {
    healthyOnV1();
    h.ref("v2").settle();
    String name = h.status.getBackups().get(0).getName();
    h.checks(Outcome.PASS);

    backup.setRestoreFrom(name);
    h.generation++;
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.restored).containsExactly(name);
    assertThat(h.status.getHistory().get(0).getAction()).isEqualTo(ActionKind.Restore);
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getHistory().get(0).getBackup()).isEqualTo(name);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);

    for (int i = 0; i < 3; i++) {
      h.advance(Duration.ofSeconds(30)).reconcile();
    }
    assertThat(h.restored).containsExactly(name);

    // Unset, then set again: a new request.
    backup.setRestoreFrom(null);
    h.generation++;
    h.advance(Duration.ofSeconds(1)).reconcile();
    backup.setRestoreFrom(name);
    h.generation++;
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.restored).containsExactly(name, name);
  }

  @Test
  void restoreFromAnUnknownBackupFailsWithoutTouchingAnything() {
    healthyOnV1();
    backup.setRestoreFrom("20200101-000000-deadbee");
    h.generation++;
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.restored).isEmpty();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.RestoreFailed);
    assertThat(condition(ConditionType.Stalled).getMessage())
        .contains("20200101-000000-deadbee", "lists no backup of that name", "not touched", "known backups: none")
        .doesNotContain("partly restored");
    assertThat(h.status.getHistory().get(0).getAction()).isEqualTo(ActionKind.Restore);
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Failed);
    h.advance(Duration.ofSeconds(30)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
  }

  @Test
  void backupOnRequestIsTakenOnceAndChangesNothingElse() {
    healthyOnV1();
    h.requests.put(StagingRelease.BACKUP_ANNOTATION, "a");
    h.advance(Duration.ofSeconds(1)).reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.backedUp).hasSize(1);
    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getHistory().get(0).getAction()).isEqualTo(ActionKind.Backup);
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Succeeded);
    h.requests.put(StagingRelease.BACKUP_ANNOTATION, "b");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.backedUp).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void retentionDeletesOnlyOldBackupsNothingPointsAt() {
    backup.setRetention(2);
    healthyOnV1();
    String[] refs = {"v2", "v3", "v1", "v2", "v3"};
    for (String ref : refs) {
      h.ref(ref).advance(Duration.ofSeconds(1)).settle();
    }
    // Each deploy backs up and history pins all five; keep only the oldest pinned.
    StagingReleaseStatus s = h.status;
    assertThat(h.backedUp).hasSize(5);
    assertThat(h.deleted).isEmpty();
    String oldest = h.backedUp.get(0);
    s.getHistory().forEach(e -> {
      if (!oldest.equals(e.getBackup())) {
        e.setBackup(null);
      }
    });
    h.requests.put(StagingRelease.BACKUP_ANNOTATION, "now");
    h.advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.backedUp).hasSize(6);
    assertThat(h.status.getLastKnownGood().getBackup()).isEqualTo(h.backedUp.get(5));
    assertThat(h.status.getBackups()).extracting(b -> b.getName())
        .containsExactly(h.backedUp.get(5), h.backedUp.get(4), oldest);
    assertThat(h.deleted).containsExactly(h.backedUp.get(3), h.backedUp.get(2), h.backedUp.get(1));
  }

  @Test
  void invalidBackupSpecIsReportedAndNothingRuns() {
    backup.setService(" ");
    backup.setRestoreCommand(null);
    backup.setRetention(0);
    assertThatThrownBy(() -> ReleaseSettings.from("demo", h.spec))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.backup.service is required")
        .hasMessageContaining("spec.backup.restoreCommand is required")
        .hasMessageContaining("spec.backup.retention must be 1 or more");
    h.reconcile();
    assertThat(h.applied).isEmpty();
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.InvalidSpec);
  }

  @Test
  void backupDefaultsFollowTheSpec() throws Exception {
    ReleaseSettings settings = ReleaseSettings.from("demo", h.spec);
    assertThat(settings.backup().beforeDeploy()).isTrue();
    assertThat(settings.backup().retention()).isEqualTo(BackupSettings.DEFAULT_RETENTION);
    assertThat(settings.backup().storage()).isNull();
    h.spec.setBackup(null);
    assertThat(ReleaseSettings.from("demo", h.spec).backup()).isNull();
    assertThat(V3).isNotEqualTo(V2);
  }
}
