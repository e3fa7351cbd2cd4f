package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A credential problem (the cluster driver's missing Secret) reaches the core as a blocking
 * problem: nothing is applied, Ready=False and Stalled=True carry its reason, and one event says so.
 */
class ClusterAccessDecisionTest {

  private static final Observation.Problem MISSING =
      new Observation.Problem(Reason.SecretNotFound, "Secret 'git' (spec.source.secretRef) not found in namespace team");

  @Test
  void aMissingSecretOnAHealthyReleaseTouchesNothingAndStalls() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    StagingReleaseStatus healthy = h.status;
    int applied = h.applied.size();

    h.dockerError = MISSING;
    h.ref("v2").advance(Duration.ofSeconds(5)).reconcile();

    assertThat(h.applied).hasSize(applied);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(ReleaseHarness.V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    Condition ready = find(h.status, ConditionType.Ready);
    assertThat(ready.getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(ready.getReason()).isEqualTo(Reason.SecretNotFound);
    assertThat(ready.getMessage()).isEqualTo(MISSING.message());
    assertThat(find(h.status, ConditionType.Stalled).getReason()).isEqualTo(Reason.SecretNotFound);
    assertThat(Transitions.between(healthy, h.status)).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Kind.NotReady);
      assertThat(e.message()).startsWith("SecretNotFound: ");
    });

    StagingReleaseStatus stalled = h.status;
    h.advance(Duration.ofSeconds(5)).reconcile();
    assertThat(Transitions.between(stalled, h.status)).isEmpty();

    h.dockerError = null;
    h.settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(ReleaseHarness.V2);
    assertThat(find(h.status, ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
  }

  private static Condition find(StagingReleaseStatus s, ConditionType type) {
    return Conditions.find(s.getConditions(), type);
  }
}
