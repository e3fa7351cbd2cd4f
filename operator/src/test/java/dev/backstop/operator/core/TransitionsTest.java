package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionsTest {

  /** Runs the harness and collects the events each reconcile's statuses imply. */
  private static List<Kind> events(ReleaseHarness h, Runnable steps) {
    List<Kind> kinds = new ArrayList<>();
    ReleaseHarness recording = h;
    StagingReleaseStatus[] before = {h.status};
    Runnable collect = () -> {
      Transitions.between(before[0], recording.status).forEach(e -> kinds.add(e.reason()));
      before[0] = recording.status;
    };
    h.reconcile();
    collect.run();
    steps.run();
    collect.run();
    return kinds;
  }

  @Test
  void theStoryOfABrokenDeployReadsAsEvents() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    StagingReleaseStatus healthy = h.status;
    h.ref("v2").checks(Outcome.FAIL, "web").reconcile();
    StagingReleaseStatus verifying = h.status;
    h.advance(Duration.ofSeconds(1)).reconcile();
    StagingReleaseStatus rollingBack = h.status;
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();
    StagingReleaseStatus rolledBack = h.status;

    assertThat(Transitions.between(healthy, verifying)).extracting(ReleaseEvent::reason).containsExactly(Kind.Applied);
    assertThat(Transitions.between(verifying, rollingBack)).extracting(ReleaseEvent::reason)
        .containsExactly(Kind.RollbackStarted, Kind.CommitQuarantined);
    assertThat(Transitions.between(rollingBack, rolledBack)).extracting(ReleaseEvent::reason)
        .containsExactly(Kind.RollbackSucceeded);
  }

  @Test
  void aDeployThatFailsBeforeTouchingTheStackIsAFailureNotASuccess() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    h.ref("v2");
    // As the engine records it: once after deciding, once after the apply's outcome.
    Decision decided = h.decider.decide(TestSettings.of("demo", h.spec), h.status, h.observation(), h.now);
    Action.Apply apply = (Action.Apply) decided.action();
    Decision completed = h.decider.complete(TestSettings.of("demo", h.spec), decided.status(), apply,
        ApplyOutcome.untouched(dev.backstop.operator.api.v1alpha1.Reason.ComposeInvalid,
            "services.web.image must be a string"), h.observation(), h.now);
    List<ReleaseEvent> events = Transitions.between(decided.status(), completed.status());
    assertThat(events).extracting(ReleaseEvent::reason)
        .containsExactly(Kind.DeployFailed, Kind.CommitQuarantined, Kind.NotReady);
    assertThat(events.get(0).message()).contains("services.web.image", "not changed");
  }

  @Test
  void anUnchangedStateSaysNothing() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    StagingReleaseStatus before = h.status;
    h.advance(Duration.ofMinutes(1)).reconcile();
    assertThat(Transitions.between(before, h.status)).isEmpty();
    assertThat(events(h, () -> h.advance(Duration.ofMinutes(1)).reconcile())).isEmpty();
  }

  @Test
  void aBlockingProblemIsReportedOnceWhenItAppears() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    StagingReleaseStatus before = h.status;
    h.ref("v9").reconcile();
    assertThat(Transitions.between(before, h.status)).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Kind.NotReady);
      assertThat(e.message()).contains("RefNotFound", "v9");
    });
    StagingReleaseStatus stillMissing = h.status;
    h.advance(Duration.ofSeconds(30)).reconcile();
    assertThat(Transitions.between(stillMissing, h.status)).isEmpty();
  }
}
