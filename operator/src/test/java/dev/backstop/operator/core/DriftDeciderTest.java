package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.DriftedService;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState.Health;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drift is reported from what the running commit renders, and re-applied only with selfHeal. */
class DriftDeciderTest {

  private static final Map<String, Drift.Expected> RENDERED = Map.of(
      "web", new Drift.Expected("busybox:1.36", "hash-web"),
      "db", new Drift.Expected("postgres:15", "hash-db"));

  private static ContainerState container(String service, String image, String hash) {
    return new ContainerState(service, "id-" + service, "demo-" + service + "-1", "running", Health.HEALTHY, image,
        "/state/checkouts/" + ReleaseHarness.V1 + "/deploy", null, hash);
  }

  private static final List<ContainerState> AS_APPLIED = List.of(
      container("web", "docker.io/library/busybox:1.36", "hash-web"), container("db", "postgres:15", "hash-db"));

  @Test
  void detectNamesChangedMissingAndExtraServices() {
    List<DriftedService> drift = Drift.detect(RENDERED, List.of(
        container("web", "busybox:1.37", "hash-other"), container("intruder", "busybox:1.36", null)));
    assertThat(drift).extracting(DriftedService::getService).containsExactly("db", "web", "intruder");
    assertThat(drift.get(0).getReason()).startsWith("missing");
    assertThat(drift.get(1).getReason()).contains("image busybox:1.37 runs").contains("busybox:1.36");
    assertThat(drift.get(2).getReason()).startsWith("extra").contains("demo-intruder-1");

    List<DriftedService> hashOnly = Drift.detect(RENDERED,
        List.of(container("web", "busybox:1.36", "hash-other"), container("db", "postgres:15", "hash-db")));
    assertThat(hashOnly).singleElement().satisfies(d -> {
      assertThat(d.getService()).isEqualTo("web");
      assertThat(d.getReason()).startsWith("definition changed");
    });
    assertThat(Drift.detect(RENDERED, AS_APPLIED)).isEmpty();
    assertThat(Drift.detect(null, List.of())).as("unknown rendering judges nothing").isEmpty();
  }

  @Test
  void driftIsReportedAsAConditionAndNothingIsAppliedWithoutSelfHeal() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    h.rendered = RENDERED;
    h.containers = AS_APPLIED;
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Drifted)).isNull();

    h.containers = List.of(container("web", "busybox:1.37", "hash-other"), AS_APPLIED.get(1));
    h.advance(Duration.ofSeconds(10)).settle();
    Condition drifted = Conditions.find(h.status.getConditions(), ConditionType.Drifted);
    assertThat(drifted).isNotNull();
    assertThat(drifted.getMessage()).startsWith("web: image busybox:1.37 runs");
    assertThat(h.status.getDrift()).extracting(DriftedService::getService).containsExactly("web");
    assertThat(h.applied).containsExactly(ReleaseHarness.V1);

    h.containers = AS_APPLIED;
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Drifted)).isNull();
    assertThat(h.status.getDrift()).isEmpty();
  }

  @Test
  void selfHealReappliesTheRunningCommitOnceRecordedBeforeActing() {
    ReleaseHarness h = new ReleaseHarness();
    selfHeal(h);
    h.settle();
    h.rendered = RENDERED;
    h.containers = List.of(AS_APPLIED.get(0));

    Decision decided = h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(decided.action()).isInstanceOf(Action.Apply.class);
    // The recorded status announced the re-apply before the actuator was asked for it.
    assertThat(h.recorded.get(h.recorded.size() - 2).getOperation().getTrigger()).isEqualTo(Trigger.Drift);
    h.containers = AS_APPLIED;
    h.advance(Duration.ofSeconds(1)).settle();
    assertThat(h.applied).containsExactly(ReleaseHarness.V1, ReleaseHarness.V1);
    HistoryEntry heal = h.status.getHistory().get(0);
    assertThat(heal.getAction()).isEqualTo(ActionKind.Deploy);
    assertThat(heal.getTrigger()).isEqualTo(Trigger.Drift);
    assertThat(heal.getResult()).isEqualTo(Result.Succeeded);
    assertThat(heal.getReason()).contains("db: missing");
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Drifted)).isNull();
  }

  @Test
  void selfHealWaitsWhileSuspendedAndDuringARollout() {
    ReleaseHarness h = new ReleaseHarness();
    selfHeal(h);
    h.settle();
    h.rendered = RENDERED;
    h.containers = List.of(AS_APPLIED.get(0));
    h.spec.setSuspend(true);
    h.generation++;
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).hasSize(1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Suspended);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Drifted)).as("observed and reported")
        .isNotNull();

    h.spec.setSuspend(false);
    h.generation++;
    h.checks(Outcome.PENDING);
    h.ref("v2").reconcile();
    assertThat(h.status.getOperation().getTarget().getCommit()).isEqualTo(ReleaseHarness.V2);
    assertThat(h.status.getOperation().getTrigger()).isEqualTo(Trigger.SpecChange);
    assertThat(h.status.getDrift()).as("a rollout is no drift").isEmpty();
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getOperation().getTrigger()).isEqualTo(Trigger.SpecChange);
    assertThat(h.applied).containsExactly(ReleaseHarness.V1, ReleaseHarness.V2);
  }

  @Test
  void aDriftThatReapplyingDoesNotRepairIsNotReappliedAgainAtOnce() {
    ReleaseHarness h = new ReleaseHarness();
    selfHeal(h);
    h.settle();
    h.rendered = RENDERED;
    h.containers = List.of(container("web", "busybox:1.37", "hash-other"), AS_APPLIED.get(1));
    h.advance(Duration.ofSeconds(10)).settle();
    h.advance(Duration.ofSeconds(10)).settle();
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).containsExactly(ReleaseHarness.V1, ReleaseHarness.V1);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Drifted)).isNotNull();
    h.advance(Drift.SAME_DRIFT_BACKOFF).settle();
    assertThat(h.applied).hasSize(3);
  }

  private static void selfHeal(ReleaseHarness h) {
    ComposeSpec compose = new ComposeSpec();
    compose.setSelfHeal(true);
    h.spec.setCompose(compose);
  }
}
