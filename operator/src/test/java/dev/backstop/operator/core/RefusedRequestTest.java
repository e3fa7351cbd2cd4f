package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A request that cannot be carried out is answered: lastRequest, a history note, a Warning event. */
class RefusedRequestTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    h.events.clear();
  }

  private void assertRefused(String annotation, ActionKind kind, String why) {
    var answer = h.status.getLastRequest();
    assertThat(answer.getAnnotation()).isEqualTo(annotation);
    assertThat(answer.getValue()).isEqualTo(h.requests.get(annotation));
    assertThat(answer.getAccepted()).isFalse();
    assertThat(answer.getMessage()).contains(why);
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Refused);
    assertThat(h.status.getHistory().get(0).getAction()).isEqualTo(kind);
    assertThat(h.status.getHistory().get(0).getReason()).startsWith("request refused: ").contains(why);
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.RequestRefused).singleElement()
        .satisfies(e -> {
          assertThat(e.type()).isEqualTo(ReleaseEvent.Type.Warning);
          assertThat(e.message()).contains(annotation, why);
        });
  }

  @Test
  void anEmergencyRollbackWithNoEarlierHealthyCommitIsRefusedOnceAndChangesNothing() {
    h.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "2026-11-26T10:01:00Z");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertRefused(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, ActionKind.EmergencyRollback,
        "no earlier healthy commit");
    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Ready).getReason()).isEqualTo(Reason.Succeeded);

    // Said once: the same value looked at again neither answers again nor warns again.
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.RequestRefused).hasSize(1);
    assertThat(h.status.getHistory()).filteredOn(e -> e.getResult() == Result.Refused).hasSize(1);
  }

  @Test
  void anEmergencyRollbackWithNowhereToGoDoesNotInterruptWhatIsInFlight() {
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    // V1 is last-known-good, so an emergency rollback is possible here: check the refused case on a
    // first deploy instead.
    ReleaseHarness first = new ReleaseHarness();
    first.checks(Outcome.PENDING).reconcile();
    first.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "now");
    first.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(first.status.getOperation()).as("the first deploy goes on verifying").isNotNull();
    assertThat(first.status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(first.status.getLastRequest().getAccepted()).isFalse();
    assertThat(first.status.getLastRequest().getMessage()).contains("no earlier healthy commit");
  }

  @Test
  void aRollbackWithNoEarlierHealthyCommitIsRefused() {
    h.requests.put(StagingRelease.ROLLBACK_ANNOTATION, "r1");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertRefused(StagingRelease.ROLLBACK_ANNOTATION, ActionKind.Rollback, "no earlier healthy commit");
    assertThat(h.applied).containsExactly(V1);
  }

  @Test
  void aRetryWithNothingQuarantinedWhileADeployIsInFlightIsRefused() {
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    h.requests.put(StagingRelease.RETRY_ANNOTATION, "x");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertRefused(StagingRelease.RETRY_ANNOTATION, ActionKind.Deploy, "is not quarantined");
    assertThat(h.status.getPhase()).as("the deploy in flight goes on").isEqualTo(Phase.Verifying);
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void aRetryOfAnUnresolvableRefIsRefusedWithTheSourceProblem() {
    h.ref("nope").reconcile();
    h.requests.put(StagingRelease.RETRY_ANNOTATION, "x");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertRefused(StagingRelease.RETRY_ANNOTATION, ActionKind.Deploy, "does not resolve");
  }

  @Test
  void aBackupRequestWithoutSpecBackupIsRefused() {
    h.requests.put(StagingRelease.BACKUP_ANNOTATION, "b1");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertRefused(StagingRelease.BACKUP_ANNOTATION, ActionKind.Backup, "spec.backup is not set");
    assertThat(h.backedUp).isEmpty();
  }

  @Test
  void anAcceptedRequestIsAnsweredWithoutAWarning() {
    h.ref("v2").settle();
    h.events.clear();
    h.requests.put(StagingRelease.ROLLBACK_ANNOTATION, "r1");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getLastRequest().getAccepted()).isTrue();
    assertThat(h.status.getLastRequest().getMessage()).contains("rolling back to v1");
    assertThat(h.events).noneMatch(e -> e.reason() == ReleaseEvent.Kind.RequestRefused);
    h.settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
  }

  @Test
  void aRefusalAfterAFailedFirstDeployKeepsTheFailureReason() {
    ReleaseHarness first = new ReleaseHarness();
    first.checks(Outcome.FAIL, "web").reconcile();
    first.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(first.status.getPhase()).isEqualTo(Phase.Failed);
    Reason before = Conditions.find(first.status.getConditions(), ConditionType.Ready).getReason();
    var refused = first.status.copy();
    first.requests.put(StagingRelease.ROLLBACK_ANNOTATION, "r");
    RequestAnswers.refuse(refused, first.observation(), StagingRelease.ROLLBACK_ANNOTATION, ActionKind.Rollback,
        dev.backstop.operator.api.v1alpha1.Trigger.Manual, RequestAnswers.noTarget(refused), first.now);
    Conditions.apply(refused, null, first.generation, first.now);
    assertThat(before).isEqualTo(Reason.NoLastKnownGood);
    assertThat(Conditions.find(refused.getConditions(), ConditionType.Ready).getReason()).isEqualTo(before);
    assertThat(Conditions.find(refused.getConditions(), ConditionType.Ready).getMessage())
        .doesNotContain("request refused");
  }
}
