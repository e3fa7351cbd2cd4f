package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The engine's and host's faults are retried with capped exponential backoff, reported as Stalled
 * only after the bound, and never quarantine or roll back the commit they happened to hit.
 */
class EngineFaultDeciderTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
  }

  private Condition condition(ConditionType type) {
    return Conditions.find(h.status.getConditions(), type);
  }

  @ParameterizedTest
  @EnumSource(value = Reason.class,
      names = {"DockerUnavailable", "AddressPoolsExhausted", "DiskFull", "PortConflict", "RegistryUnavailable"})
  void aDeployFailingWithAnEngineFaultIsRetriedWithBackoffAndNeverQuarantined(Reason fault) {
    h.settle();
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    h.nextApply = ApplyOutcome.failed(fault, "engine says no (" + fault + ")");

    List<Duration> waits = new ArrayList<>();
    h.ref("v2").reconcile();
    waits.add(h.last.requeueAfter());
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Applying);
    assertThat(h.status.getOperation().getKind()).isEqualTo(ActionKind.Deploy);
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(1);
    assertThat(condition(ConditionType.Stalled)).as("not stalled before the bound").isNull();
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.Progressing);
    assertThat(condition(ConditionType.Ready).getMessage()).contains(fault.name(), "attempt 1");

    // Before the backoff is over nothing is tried again, however often the loop looks.
    int appliesBefore = applies();
    h.advance(Duration.ofSeconds(2)).reconcile();
    assertThat(applies()).isEqualTo(appliesBefore);
    assertThat(h.last.requeueAfter()).isLessThanOrEqualTo(Duration.ofSeconds(3));

    h.advance(Duration.ofSeconds(3)).reconcile();
    assertThat(applies()).isEqualTo(appliesBefore + 1);
    waits.add(h.last.requeueAfter());
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(2);
    assertThat(condition(ConditionType.Stalled)).isNull();

    h.advance(waits.get(1)).reconcile();
    waits.add(h.last.requeueAfter());
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(3);
    assertThat(waits).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
    assertThat(condition(ConditionType.Stalled)).as("stalled from the third attempt").isNotNull();
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(fault);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(fault);
    assertThat(condition(ConditionType.Ready).getMessage()).contains("3 attempts", "not held");

    // Many more failures: the wait is capped, the commit still not held against it, no rollback.
    for (int i = 0; i < 8; i++) {
      h.advance(h.last.requeueAfter()).reconcile();
    }
    assertThat(h.last.requeueAfter()).isEqualTo(EngineRetry.MAX_BACKOFF);
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.applied).doesNotContainSequence(V2, V1);
    assertThat(h.status.getHistory()).filteredOn(e -> e.getAction() == ActionKind.Rollback).isEmpty();
    assertThat(h.status.getHistory()).as("one deploy, not one entry per attempt").hasSize(2);

    // The engine is fixed: the next attempt goes through and the deploy completes normally.
    h.nextApply = ApplyOutcome.success();
    h.advance(h.last.requeueAfter()).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(h.status.getEngineFault()).isNull();
    assertThat(condition(ConditionType.Stalled)).isNull();
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.events).noneMatch(e -> e.reason() == ReleaseEvent.Kind.CommitQuarantined);
  }

  @Test
  void aFirstDeployBlockedByAddressPoolsDeploysOnceTheEngineHasRoom() {
    h.nextApply = ApplyOutcome.failed(Reason.AddressPoolsExhausted,
        "could not find an available, non-overlapping IPv4 address pool (set default-address-pools)");
    h.reconcile();
    for (int i = 0; i < 4; i++) {
      h.advance(h.last.requeueAfter()).reconcile();
    }
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Deploying);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.AddressPoolsExhausted);
    assertThat(h.events).anySatisfy(e -> assertThat(e.message()).startsWith("AddressPoolsExhausted: "));

    h.nextApply = ApplyOutcome.success();
    h.advance(h.last.requeueAfter()).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
  }

  @Test
  void theBoundIsAlsoTimeSoASlowRetryingFaultStallsWithinTwoMinutes() {
    h.nextApply = ApplyOutcome.failed(Reason.DiskFull, "no space left on device");
    h.reconcile();
    h.status.getEngineFault().setSince(Timestamps.format(h.now.minus(Duration.ofMinutes(3))));
    h.advance(h.last.requeueAfter()).reconcile();
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(2);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.DiskFull);
  }

  @Test
  void aRollbackHittingAnEngineFaultKeepsTryingInsteadOfFailing() {
    h.settle();
    h.ref("v2").reconcile();
    h.nextApply = ApplyOutcome.failed(Reason.PortConflict, "Bind for 0.0.0.0:8080 failed: port is already allocated");
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getOperation().getKind()).isEqualTo(ActionKind.Rollback);
    assertThat(h.status.getOperation().getStage()).isEqualTo(OperationStage.Applying);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);

    h.advance(h.last.requeueAfter()).reconcile();
    assertThat(h.status.getPhase()).as("a rollback the engine failed is not a failed rollback")
        .isEqualTo(Phase.RollingBack);
    h.nextApply = ApplyOutcome.success();
    h.checks(Outcome.PASS).advance(h.last.requeueAfter()).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V2);
  }

  @Test
  void aDeployTheEngineKeepsFailingGivesWayToANewRef() {
    h.settle();
    h.nextApply = ApplyOutcome.failed(Reason.AddressPoolsExhausted, "no pool");
    h.ref("v2").reconcile();
    h.nextApply = ApplyOutcome.success();
    h.ref("v3").advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V3);
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getHistory().get(1).getReason()).contains("superseded by v3");
  }

  @Test
  void theCommitsOwnFaultsStillQuarantine() {
    h.settle();
    h.nextApply = ApplyOutcome.failed(Reason.ComposeFailed, "service web: invalid mount config");
    h.ref("v2").reconcile();
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V2);
    assertThat(h.status.getEngineFault()).isNull();
  }

  @Test
  void anEngineOutageDuringVerificationNeverFailsTheDeployByItsDeadline() {
    h.settle();
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    h.dockerError = new Observation.Problem(Reason.DockerUnavailable, "Cannot connect to the Docker daemon");
    List<Duration> waits = new ArrayList<>();
    // Blind for longer than the 30 s progress deadline.
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofSeconds(10)).reconcile();
      waits.add(h.last.requeueAfter());
    }
    assertThat(waits).startsWith(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(condition(ConditionType.Stalled).getReason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);

    // The engine is back; the checks need a moment to pass again: no deadline failure meanwhile.
    h.dockerError = null;
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(h.status.getEngineFault()).isNull();
    assertThat(condition(ConditionType.Stalled)).isNull();
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(h.status.getQuarantined()).isEmpty();
  }

  @Test
  void backoffDoublesFromFiveSecondsToFiveMinutes() {
    assertThat(EngineRetry.backoff(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(EngineRetry.backoff(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(EngineRetry.backoff(6)).isEqualTo(Duration.ofSeconds(160));
    assertThat(EngineRetry.backoff(7)).isEqualTo(Duration.ofMinutes(5));
    assertThat(EngineRetry.backoff(1000)).isEqualTo(Duration.ofMinutes(5));
  }

  private int applies() {
    return h.applied.size();
  }
}
