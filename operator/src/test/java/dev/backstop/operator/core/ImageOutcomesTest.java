package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decisions around built and pulled images: build/pull failures, rebuild notes, retention. */
class ImageOutcomesTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void aFailedBuildQuarantinesTheCommitAndLeavesTheStackAlone() {
    h.nextApply = ApplyOutcome.untouched(Reason.BuildFailed,
        "docker compose build failed (exit 17): dockerfile parse error on line 2: unknown instruction: FORM");
    h.ref("v2").reconcile();

    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getOperation()).isNull();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    var ready = Conditions.find(h.status.getConditions(), ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.BuildFailed);
    assertThat(ready.getMessage()).contains("unknown instruction: FORM");
    assertThat(h.status.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.BuildFailed));
    assertThat(Transitions.between(null, h.status))
        .anySatisfy(e -> assertThat(e.message()).startsWith("BuildFailed: "));

    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.last.action()).as("a quarantined build is not retried by itself").isEqualTo(Action.NONE);
  }

  @Test
  void aFailedPullIsReportedAndRetriedButNotQuarantined() {
    h.nextApply = ApplyOutcome.untouched(Reason.PullFailed, "docker compose pull failed (exit 18): db Error");
    h.ref("v2").reconcile();

    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getQuarantined()).isEmpty();
    var ready = Conditions.find(h.status.getConditions(), ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.PullFailed);
    assertThat(ready.getMessage()).contains("db Error");

    h.nextApply = ApplyOutcome.success();
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2);
  }

  @Test
  void aRollbackThatHadToRebuildSaysSoInHistoryAndReport() {
    h.ref("v2").reconcile();
    h.nextApply = ApplyOutcome.success("the images of 111111111111 for app were gone");
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(h.status.getLastRollback().getReason()).contains("failed: ", "were gone");
    HistoryEntry rollback = h.status.getHistory().get(0);
    assertThat(rollback.getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(rollback.getReason()).contains("were gone");

    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getHistory().get(0).getReason()).contains("were gone");
  }

  @Test
  void retentionKeepsCurrentLastKnownGoodAndTheLastDeployedCommits() {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setCurrent(rev(V3));
    s.setLastKnownGood(rev("a".repeat(40)));
    s.getHistory().add(entry(V3));
    s.getHistory().add(entry(V2));
    s.getHistory().add(entry(V1));
    s.getHistory().add(entry("b".repeat(40)));

    assertThat(ImageRetention.commitsToKeep(s, 2)).containsExactlyInAnyOrder(V3, "a".repeat(40), V2);
    assertThat(ImageRetention.commitsToKeep(s, 0)).containsExactlyInAnyOrder(V3, "a".repeat(40));
    assertThat(ImageRetention.commitsToKeep(s, 10))
        .containsExactlyInAnyOrder(V3, "a".repeat(40), V2, V1, "b".repeat(40));
  }

  @Test
  void imageSettingsDefaultAndValidate() throws Exception {
    assertThat(TestSettings.of("demo", h.spec).images()).isEqualTo(new ImageSettings(3, null));
    ComposeSpec compose = new ComposeSpec();
    compose.setKeepImages(-1);
    compose.setPullPolicy("sometimes");
    h.spec.setCompose(compose);

    assertThatThrownBy(() -> ReleaseSettings.from("demo", h.spec))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.compose.keepImages must be 0 or more, not -1")
        .hasMessageContaining("spec.compose.pullPolicy 'sometimes' is not one of missing, always, never");
    compose.setKeepImages(0);
    compose.setPullPolicy("never");
    assertThat(TestSettings.of("demo", h.spec).images()).isEqualTo(new ImageSettings(0, "never"));
  }

  private static Revision rev(String commit) {
    Revision r = new Revision();
    r.setCommit(commit);
    return r;
  }

  private static HistoryEntry entry(String commit) {
    HistoryEntry e = new HistoryEntry();
    e.setTo(rev(commit));
    return e;
  }
}
