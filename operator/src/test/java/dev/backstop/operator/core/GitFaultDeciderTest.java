package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Git failing under a running release: it keeps running, rollbacks still work, status says why. */
class GitFaultDeciderTest {

  private ReleaseHarness h;

  @BeforeEach
  void healthyOnV2WithV1Good() {
    h = new ReleaseHarness();
    h.settle();
    h.ref("v2").settle();
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
  }

  @Test
  void anUnreachableRemoteKeepsTheStackAndLastFetchTimeAndNamesTheFetchProblem() {
    String fetchedAt = h.status.getLastFetchTime();
    h.sourceError = new Observation.Problem(Reason.SourceUnavailable,
        "cannot fetch https://git.example/shop.git (connection refused); check the URL, the network and the credentials");
    h.advance(Duration.ofMinutes(2)).reconcile();
    h.advance(Duration.ofMinutes(2)).reconcile();

    assertThat(h.status.getLastFetchTime()).as("moves only on a successful fetch").isEqualTo(fetchedAt);
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getQuarantined()).isEmpty();
    var ready = Conditions.find(h.status.getConditions(), ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.SourceUnavailable);
    assertThat(ready.getMessage()).contains("cannot fetch", "connection refused");

    h.sourceError = null;
    h.advance(Duration.ofMinutes(1)).reconcile();
    assertThat(h.status.getLastFetchTime()).isEqualTo(Timestamps.format(h.now));
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Ready).getReason()).isEqualTo(Reason.Succeeded);
  }

  @Test
  void aRollbackToLastKnownGoodStillHappensWhileTheRemoteIsGone() {
    h.ref("v3").settle();
    h.sourceError = new Observation.Problem(Reason.SourceUnavailable, "cannot fetch: repository not found");
    h.checks(Outcome.FAIL, "web");
    for (int i = 0; i < 10 && h.status.getOperation() == null; i++) {
      h.advance(Duration.ofSeconds(5)).reconcile();
    }
    assertThat(h.status.getOperation().getKind()).isEqualTo(dev.backstop.operator.api.v1alpha1.ActionKind.Rollback);
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).settle();

    assertThat(h.status.getCurrent().getCommit()).as("rolled back from the local checkout").isEqualTo(V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.applied).endsWith(V2);
  }

  @Test
  void aDeletedTagLeavesTheRunningReleaseAloneAndSaysTheRefIsGone() {
    h.refs.remove("v2");
    h.advance(Duration.ofMinutes(1)).reconcile();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(Conditions.find(h.status.getConditions(), ConditionType.Ready).getReason()).isEqualTo(Reason.RefNotFound);
  }

  @Test
  void aForcePushedBranchIsJustANewDesiredCommit() {
    h.refs.put("v2", ReleaseHarness.V3);
    h.advance(Duration.ofMinutes(1)).settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(ReleaseHarness.V3);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(ReleaseHarness.V3);
  }
}
