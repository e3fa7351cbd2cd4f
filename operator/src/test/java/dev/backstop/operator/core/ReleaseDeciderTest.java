package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReleaseDeciderTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
  }

  private Condition condition(ConditionType type) {
    return Conditions.find(h.status.getConditions(), type);
  }

  private void healthyOnV1() {
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void firstDeployAppliesThenVerifiesThenRecordsLastKnownGood() {
    Decision d = h.reconcile();
    assertThat(d.action()).isInstanceOf(Action.Apply.class);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastKnownGood()).isNull();
    assertThat(condition(ConditionType.Reconciling).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.Progressing);

    h.advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastKnownGood().getRef()).isEqualTo("v1");
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(condition(ConditionType.Reconciling)).isNull();
    assertThat(condition(ConditionType.Stalled)).isNull();
    assertThat(condition(ConditionType.Healthy).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(h.status.getHistory()).singleElement().satisfies(e -> {
      assertThat(e.getAction()).isEqualTo(ActionKind.Deploy);
      assertThat(e.getResult()).isEqualTo(Result.Succeeded);
      assertThat(e.getTrigger()).isEqualTo(Trigger.SpecChange);
    });
    assertThat(h.applied).containsExactly(V1);
  }

  @Test
  void pendingChecksKeepVerifyingUntilTheyPass() {
    h.checks(Outcome.PENDING).reconcile();
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void brokenDeployIsRolledBackToLastKnownGoodAndQuarantined() {
    healthyOnV1();
    h.ref("v2").reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);

    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();

    // The failure is detected, v2 quarantined, and the rollback applied in the same reconcile.
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.status.getQuarantined()).singleElement().satisfies(q -> {
      assertThat(q.getCommit()).isEqualTo(V2);
      assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed);
    });

    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.RolledBack);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    assertThat(condition(ConditionType.Stalled).getMessage()).contains("2222222", "backstop.dev/retry");
    assertThat(h.status.getLastRollback().getTrigger()).isEqualTo(Trigger.VerificationFailed);
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getLastRollback().getServicesAffected()).containsExactly("web");
    assertThat(h.status.getLastRollback().getRecoverySeconds()).isEqualTo(1.5);
    assertThat(h.status.getHistory()).extracting(e -> e.getAction() + ":" + e.getResult())
        .containsExactly("Rollback:Succeeded", "Deploy:Failed", "Deploy:Succeeded");
  }

  @Test
  void quarantinedCommitIsNotDeployedAgain() {
    brokenDeployIsRolledBackToLastKnownGoodAndQuarantined();
    for (int i = 0; i < 5; i++) {
      Decision d = h.advance(Duration.ofSeconds(30)).reconcile();
      assertThat(d.action()).isEqualTo(Action.NONE);
    }
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
  }

  @Test
  void aFixedRefRollsForwardAfterARollback() {
    brokenDeployIsRolledBackToLastKnownGoodAndQuarantined();
    h.ref("v3").settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V3);
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(condition(ConditionType.Stalled)).isNull();
    assertThat(h.applied).containsExactly(V1, V2, V1, V3);
  }

  @Test
  void pointingTheRefBackAtTheRunningCommitMakesItReadyWithoutRedeploying() {
    brokenDeployIsRolledBackToLastKnownGoodAndQuarantined();
    h.ref("v1").advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
  }

  @Test
  void deployThatNeverBecomesHealthyFailsAtTheProgressDeadline() {
    healthyOnV1();
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    h.advance(Duration.ofSeconds(29)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    h.advance(Duration.ofSeconds(2)).reconcile();
    assertThat(h.status.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.ProgressDeadlineExceeded));
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.applied).containsExactly(V1, V2, V1);
  }

  @Test
  void firstDeployThatFailsLeavesTheStackForInspectionAndStalls() {
    h.checks(Outcome.FAIL, "web").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.NoLastKnownGood);
    assertThat(condition(ConditionType.Stalled).getMessage()).contains("left as it is for inspection");
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.False);
    h.advance(Duration.ofMinutes(5)).reconcile();
    assertThat(h.applied).containsExactly(V1);
  }

  @Test
  void healthyReleaseThatTurnsUnhealthyRollsBackToThePreviousGoodCommit() {
    healthyOnV1();
    h.ref("v2").settle();
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);

    h.checks(Outcome.FAIL, "web").advance(Duration.ofMinutes(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.status.getLastRollback().getTrigger()).isEqualTo(Trigger.HealthCheck);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V2);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
  }

  @Test
  void checkNeedsConsecutiveFailuresBeforeItTrips() {
    h.spec.getHealth().setChecks(List.of(check(3)));
    healthyOnV1();
    h.ref("v2").settle();
    h.checks(Outcome.FAIL).advance(Duration.ofSeconds(5)).reconcile();
    h.advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getChecks().get(0).getConsecutiveFailures()).isEqualTo(2);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(5)).reconcile();
    h.checks(Outcome.FAIL).advance(Duration.ofSeconds(5)).reconcile();
    h.advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    h.advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
  }

  @Test
  void failuresCountOncePerIntervalHoweverOftenTheReconcilerLooks() {
    h.spec.getHealth().setChecks(List.of(check(3)));
    healthyOnV1();
    h.ref("v2").settle();
    h.checks(Outcome.FAIL);
    for (int i = 0; i < 9; i++) {
      h.advance(Duration.ofSeconds(1)).reconcile();
    }
    // 9 looks over 9 s with a 5 s interval: two counted failures, not nine.
    assertThat(h.status.getChecks().get(0).getConsecutiveFailures()).isEqualTo(2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(condition(ConditionType.Healthy).getStatus()).isEqualTo(ConditionStatus.Unknown);
  }

  @Test
  void lastKnownGoodThatTurnsUnhealthyWithNothingToGoBackToIsDegraded() {
    healthyOnV1();
    h.checks(Outcome.FAIL, "web").advance(Duration.ofMinutes(1)).reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.HealthCheckFailed);
    assertThat(condition(ConditionType.Healthy).getStatus()).isEqualTo(ConditionStatus.False);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void rollbackThatFailsStopsWithoutLooping() {
    healthyOnV1();
    h.ref("v2").checks(Outcome.FAIL, "web").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    h.advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.RollbackFailed);
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Failed);
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofSeconds(10)).reconcile();
      assertThat(h.last.action()).isEqualTo(Action.NONE);
    }
    assertThat(h.applied).containsExactly(V1, V2, V1);
  }

  @Test
  void invalidComposeFilesAreQuarantinedWithoutTouchingTheStack() {
    healthyOnV1();
    h.nextApply = ApplyOutcome.untouched(Reason.ComposeInvalid, "compose.yaml: services.web.image must be a string");
    h.ref("v2").reconcile();
    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.ComposeInvalid);
    assertThat(condition(ConditionType.Ready).getMessage()).contains("services.web.image");
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void firstDeployWithInvalidComposeFilesStaysPendingWithTheComposeError() {
    h.nextApply = ApplyOutcome.untouched(Reason.ComposeInvalid, "no configuration file provided: not found");
    h.reconcile();
    assertThat(h.applied).isEmpty();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Pending);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.ComposeInvalid);
    assertThat(condition(ConditionType.Ready).getMessage()).contains("no configuration file provided");
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
  }

  @Test
  void composeUpThatFailsPartWayIsRolledBack() {
    healthyOnV1();
    h.nextApply = ApplyOutcome.failed(Reason.ComposeFailed, "pull access denied for app:v2");
    h.ref("v2").reconcile();
    assertThat(h.status.getOperation().getKind()).isEqualTo(ActionKind.Rollback);
    assertThat(h.status.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.ComposeFailed));
    h.nextApply = ApplyOutcome.success();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1);
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getLastRollback().getTrigger()).isEqualTo(Trigger.ApplyFailed);
  }

  @Test
  void anInterruptedApplyIsResumedAfterARestart() {
    healthyOnV1();
    h.ref("v2");
    Decision d = h.decider.decide(TestSettings.of("demo", h.spec), h.status, h.observation(), h.now);
    // The process dies here: the status with the operation was recorded, the apply never finished.
    h.status = d.status();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Deploying);
    Decision resumed = h.decider.decide(TestSettings.of("demo", h.spec), h.status, h.observation(), h.now.plusSeconds(30));
    assertThat(resumed.action()).isInstanceOfSatisfying(Action.Apply.class,
        a -> assertThat(a.target().getCommit()).isEqualTo(V2));
    assertThat(resumed.status().getHistory()).hasSize(2);
  }

  @Test
  void invalidSpecStallsWithEveryProblemNamed() {
    h.spec.getHealth().setProgressDeadline("soon");
    h.spec.getHealth().setInterval("0s");
    h.reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    Condition stalled = condition(ConditionType.Stalled);
    assertThat(stalled.getReason()).isEqualTo(Reason.InvalidSpec);
    assertThat(stalled.getMessage()).contains("spec.health.progressDeadline 'soon' is not a duration", "spec.health.interval must be longer than 0");
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.False);
  }

  @Test
  void unknownRefStallsAndLeavesTheRunningStackAlone() {
    healthyOnV1();
    h.ref("v9").reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getDesired().getCommit()).isNull();
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.RefNotFound);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.RefNotFound);
    assertThat(condition(ConditionType.Healthy).getStatus()).isEqualTo(ConditionStatus.True);
  }

  @Test
  void suspendedReleaseChangesNothing() {
    healthyOnV1();
    h.spec.setSuspend(true);
    h.ref("v2").reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Suspended);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.Suspended);
    h.spec.setSuspend(false);
    h.reconcile();
    assertThat(h.last.action()).isInstanceOf(Action.Apply.class);
  }

  @Test
  void retryRequestLiftsTheQuarantineOnce() {
    brokenDeployIsRolledBackToLastKnownGoodAndQuarantined();
    h.requests.put(StagingRelease.RETRY_ANNOTATION, "1");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1, V2);
    assertThat(h.status.getQuarantined()).isEmpty();
    // Still broken: quarantined again and rolled back, and the same request value does nothing more.
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    h.advance(Duration.ofSeconds(30)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1, V2, V1);
  }

  @Test
  void manualRollbackRequestGoesToLastKnownGoodOncePerValue() {
    healthyOnV1();
    h.ref("v2").settle();
    h.ref("v3").settle();
    h.requests.put(StagingRelease.ROLLBACK_ANNOTATION, "2026-11-26T10:05:00Z");
    h.reconcile();
    assertThat(h.status.getOperation().getTrigger()).isEqualTo(Trigger.Manual);
    h.settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getReason()).containsExactly(Reason.ManualRollback);
    h.advance(Duration.ofSeconds(30)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V3, V2);
  }

  @Test
  void emergencyRollbackSkipsTheGateAndAsksForManualVerification() {
    healthyOnV1();
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    h.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "now");
    Decision d = h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(d.action()).isInstanceOfSatisfying(Action.Apply.class, a -> {
      assertThat(a.downFirst()).isTrue();
      assertThat(a.kind()).isEqualTo(ActionKind.EmergencyRollback);
    });
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getOperation()).isNull();
    assertThat(h.status.getLastRollback().getManualVerificationRequired()).isTrue();
    assertThat(h.status.getLastRollback().getTrigger()).isEqualTo(Trigger.Emergency);
    assertThat(h.status.getHistory().get(1).getReason()).contains("interrupted by an emergency rollback");
  }

  @Test
  void automaticRollbackOffLeavesTheFailedDeployInPlace() {
    RollbackSpec rollback = new RollbackSpec();
    rollback.setAutomatic(false);
    h.spec.setRollback(rollback);
    healthyOnV1();
    h.ref("v2").checks(Outcome.FAIL, "web").reconcile();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.HealthCheckFailed);
  }

  @Test
  void unreachableEngineNeitherCountsFailuresNorActs() {
    healthyOnV1();
    h.dockerError = new Observation.Problem(Reason.DockerUnavailable, "cannot reach the Docker engine");
    h.ref("v2").reconcile();
    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getChecks().get(0).getConsecutiveFailures()).isZero();
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(condition(ConditionType.Stalled)).isNull();
    h.dockerError = null;
    h.reconcile();
    assertThat(h.last.action()).isInstanceOf(Action.Apply.class);
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheStatusChanges() {
    healthyOnV1();
    String readySince = condition(ConditionType.Ready).getLastTransitionTime();
    h.advance(Duration.ofMinutes(3)).reconcile();
    assertThat(condition(ConditionType.Ready).getLastTransitionTime()).isEqualTo(readySince);
    h.ref("v2").reconcile();
    assertThat(condition(ConditionType.Ready).getLastTransitionTime()).isNotEqualTo(readySince);
  }

  @Test
  void historyIsBounded() {
    h.settle();
    for (int i = 0; i < 30; i++) {
      String ref = "r" + i;
      h.refs.put(ref, String.format("%040d", i + 10));
      h.ref(ref).settle();
    }
    assertThat(h.status.getHistory()).hasSize(ReleaseDecider.HISTORY_LIMIT);
    assertThat(h.status.getHistory().get(0).getTo().getRef()).isEqualTo("r29");
  }

  @Test
  void decideDoesNotModifyItsInput() throws Exception {
    healthyOnV1();
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var before = h.status;
    String snapshot = json.writeValueAsString(before);
    // A decision that changes a lot: a new ref starts a deploy, resets checks, adds history.
    h.ref("v2");
    Decision d = h.decider.decide(TestSettings.of("demo", h.spec), before, h.observation(), h.now.plusSeconds(60));
    assertThat(d.status().getPhase()).isEqualTo(Phase.Deploying);
    assertThat(json.writeValueAsString(before)).isEqualTo(snapshot);
  }

  private static dev.backstop.operator.api.v1alpha1.HealthCheckSpec check(int failures) {
    var c = new dev.backstop.operator.api.v1alpha1.HealthCheckSpec();
    c.setName("services");
    c.setType(dev.backstop.operator.api.v1alpha1.CheckType.SERVICE_HEALTH);
    c.setConsecutiveFailures(failures);
    return c;
  }
}
