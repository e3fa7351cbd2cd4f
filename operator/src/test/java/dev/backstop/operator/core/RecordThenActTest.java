package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The real loop acts only on a status that was recorded; a lost write means no action yet. */
class RecordThenActTest {

  private final ReleaseHarness h = new ReleaseHarness();

  @Test
  void aFailedWriteBeforeADeployAppliesNothingAndTheDeployHappensOnceAfterwards() {
    h.settle();
    assertThat(h.applied).containsExactly(V1);

    h.ref("v2");
    h.failingWrites = 1;
    h.reconcile();
    assertThat(h.applied).as("nothing is applied when the status announcing it was lost").containsExactly(V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.events).noneMatch(e -> e.message().contains("2222222"));

    h.settle();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getHistory()).filteredOn(e -> e.getAction() == ActionKind.Deploy).hasSize(2);
  }

  @Test
  void oneEmergencyRequestActsOnceThoughItsFirstWriteFailed() {
    h.settle();
    h.ref("v2").settle();
    assertThat(h.applied).containsExactly(V1, V2);

    h.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "now");
    h.failingWrites = 1;
    h.reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getHandledRequests()).doesNotContainKey(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION);

    for (int i = 0; i < 5; i++) {
      h.reconcile();
      h.advance(Duration.ofSeconds(1));
    }
    assertThat(h.applied).as("the request is acted on once, after its write succeeded").containsExactly(V1, V2, V1);
    assertThat(h.status.getHistory()).filteredOn(e -> e.getAction() == ActionKind.EmergencyRollback).hasSize(1);
  }

  @Test
  void aLostWriteAfterActingResumesTheSameOperationInsteadOfStartingAnother() {
    h.settle();
    h.ref("v2");
    // The write that announces the deploy succeeds, the apply runs, the write of its outcome is lost.
    h.writesBeforeFailure = 1;
    h.reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getPhase()).as("the recorded status still says applying").isEqualTo(Phase.Deploying);

    h.settle();
    assertThat(h.applied).as("applying again is idempotent and resumes the one deploy").containsExactly(V1, V2, V2);
    assertThat(h.status.getHistory()).filteredOn(e -> e.getAction() == ActionKind.Deploy).hasSize(2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }
}
