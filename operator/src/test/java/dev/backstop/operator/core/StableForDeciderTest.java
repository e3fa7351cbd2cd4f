package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.health.stableFor (minReadySeconds) with a fake clock: a deploy becomes last-known-good only
 * once every rollback-action check has passed without a break for stableFor; a failure in that
 * time restarts the wait and counts as usual.
 */
class StableForDeciderTest {

  private static final String V1 = "1111111111111111111111111111111111111111";
  private static final String V2 = "2222222222222222222222222222222222222222";

  private final ReleaseDecider decider = new ReleaseDecider();
  private final StagingReleaseSpec spec = new StagingReleaseSpec();
  private final List<String> applied = new ArrayList<>();
  private StagingReleaseStatus status;
  private Instant now = Instant.parse("2026-11-26T10:00:00Z");
  private Instant v2Applied;

  @BeforeEach
  void setUp() {
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("v1");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setInterval("1s");
    health.setProgressDeadline("30s");
    health.setStableFor("10s");
    spec.setHealth(health);
    checks(3);
  }

  private void checks(int consecutiveFailures) {
    HealthCheckSpec app = new HealthCheckSpec();
    app.setName("app");
    app.setType(CheckType.EXEC);
    app.setService("web");
    app.setCommand(List.of("true"));
    app.setConsecutiveFailures(consecutiveFailures);
    // A failing alert-only check does not gate verification, so it must not hold stability back
    // either (not tripped, so the phase stays Healthy rather than Degraded).
    HealthCheckSpec noisy = new HealthCheckSpec();
    noisy.setName("noisy");
    noisy.setType(CheckType.EXEC);
    noisy.setService("web");
    noisy.setCommand(List.of("false"));
    noisy.setAction(CheckAction.ALERT);
    noisy.setConsecutiveFailures(1000);
    spec.getHealth().setChecks(List.of(app, noisy));
  }

  /** One reconcile at {@code now} with a fresh probe of app (and a failing alert check). */
  private void reconcile(Outcome app) {
    List<CheckResult> results = List.of(
        new CheckResult("app", app, app.name(), "probe at " + now, List.of(), now),
        new CheckResult("noisy", Outcome.FAIL, "exit 1", "exited 1", List.of(), now));
    String commit = spec.getSource().getRef().equals("v1") ? V1 : V2;
    Observation obs = new Observation(1, SourceState.resolved(commit, false), List.of(), results, null, Map.of());
    Decision d = decider.decide(TestSettings.of("demo", spec), status, obs, now);
    status = d.status();
    if (d.action() instanceof Action.Apply apply) {
      applied.add(apply.target().getCommit());
      status = decider.complete(TestSettings.of("demo", spec), status, apply, ApplyOutcome.success(), obs, now).status();
    }
  }

  private void at(Duration sinceV2Applied, Outcome app) {
    now = v2Applied.plus(sinceV2Applied);
    reconcile(app);
  }

  /** v1 verified with stableFor, then v2 applied at {@link #v2Applied}; nothing probed for v2 yet. */
  private void deployV2() {
    reconcile(Outcome.PASS);
    for (int i = 0; i < 12; i++) {
      now = now.plusSeconds(1);
      reconcile(Outcome.PASS);
    }
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(status.getLastKnownGood().getCommit()).isEqualTo(V1);
    now = now.plusSeconds(1);
    spec.getSource().setRef("v2");
    v2Applied = now;
    reconcile(Outcome.PASS);
    assertThat(applied).containsExactly(V1, V2);
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
  }

  private CheckStatus app() {
    return status.getChecks().stream().filter(c -> c.getName().equals("app")).findFirst().orElseThrow();
  }

  @Test
  void aDeployIsVerifiedAfterExactlyStableForOfPassesAndNotAMillisecondBefore() {
    deployV2();
    at(Duration.ofSeconds(1), Outcome.PASS);
    assertThat(app().getPassingSince()).isEqualTo(Timestamps.format(v2Applied.plusSeconds(1)));
    for (int s = 2; s <= 10; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
    }
    at(Duration.ofMillis(10_999), Outcome.PASS);
    assertThat(status.getPhase()).as("passing for 9.999s of 10s").isEqualTo(Phase.Verifying);
    assertThat(status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(app().getPassingSince()).as("later passes continue the run").isEqualTo(
        Timestamps.format(v2Applied.plusSeconds(1)));

    at(Duration.ofSeconds(11), Outcome.PASS);
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(status.getHistory().get(0).getResult()).isEqualTo(Result.Succeeded);
  }

  @Test
  void aFailureInsideTheWindowCountsAndRestartsTheWait() {
    deployV2();
    for (int s = 1; s <= 8; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
    }
    at(Duration.ofSeconds(9), Outcome.FAIL);
    assertThat(app().getConsecutiveFailures()).as("counted as usual").isEqualTo(1);
    assertThat(app().getTripped()).isFalse();
    assertThat(app().getPassingSince()).isNull();
    for (int s = 10; s <= 19; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
    }
    assertThat(app().getConsecutiveFailures()).isZero();
    assertThat(status.getPhase()).as("only 9s since the pass after the failure").isEqualTo(Phase.Verifying);
    at(Duration.ofSeconds(20), Outcome.PASS);
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(applied).containsExactly(V1, V2);
  }

  @Test
  void aPendingResultAlsoBreaksTheRunButDoesNotCount() {
    deployV2();
    for (int s = 1; s <= 5; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
    }
    at(Duration.ofSeconds(6), Outcome.PENDING);
    assertThat(app().getConsecutiveFailures()).isZero();
    assertThat(app().getPassingSince()).isNull();
    at(Duration.ofSeconds(7), Outcome.PASS);
    at(Duration.ofSeconds(16), Outcome.PASS);
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
    at(Duration.ofSeconds(17), Outcome.PASS);
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void aCheckThatTripsInsideTheWindowRollsBackAsUsualAndIsNamed() {
    checks(2);
    deployV2();
    for (int s = 1; s <= 5; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
    }
    at(Duration.ofSeconds(6), Outcome.FAIL);
    assertThat(applied).containsExactly(V1, V2);
    at(Duration.ofSeconds(7), Outcome.FAIL);
    assertThat(applied).containsExactly(V1, V2, V1);

    HistoryEntry rollback = status.getHistory().get(0);
    HistoryEntry deploy = status.getHistory().get(1);
    assertThat(rollback.getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(rollback.getTrippedChecks()).containsExactly("app");
    assertThat(deploy.getAction()).isEqualTo(ActionKind.Deploy);
    assertThat(deploy.getResult()).isEqualTo(Result.Failed);
    assertThat(deploy.getTrippedChecks()).containsExactly("app");
    assertThat(status.getLastRollback().getTrippedChecks()).containsExactly("app");
    assertThat(status.getQuarantined()).extracting(QuarantinedCommit::getReason).containsExactly(Reason.HealthCheckFailed);
  }

  @Test
  void passingButNotYetStableAtTheDeadlineFailsTheDeployAndSaysWhy() {
    deployV2();
    // A failure every 8 s: never 10 s of passes in a row.
    for (int s = 1; s <= 30; s++) {
      at(Duration.ofSeconds(s), Outcome.PASS);
      if (s % 8 == 0) {
        at(Duration.ofSeconds(s).plusMillis(500), Outcome.FAIL);
      }
    }
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
    at(Duration.ofMillis(30_500), Outcome.PASS);
    HistoryEntry deploy = status.getHistory().get(1);
    assertThat(deploy.getAction()).isEqualTo(ActionKind.Deploy);
    assertThat(deploy.getResult()).isEqualTo(Result.Failed);
    assertThat(deploy.getReason()).contains("not healthy within progressDeadline",
        "check app passing for only 5.5s of stableFor 10.0s");
    assertThat(deploy.getTrippedChecks()).as("no check tripped").isEmpty();
    assertThat(status.getLastRollback().getTrippedChecks()).isEmpty();
    assertThat(applied).containsExactly(V1, V2, V1);
  }

  @Test
  void withoutStableForTheFirstPassVerifies() {
    spec.getHealth().setStableFor(null);
    deployV2();
    at(Duration.ofSeconds(1), Outcome.PASS);
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(status.getLastKnownGood().getCommit()).isEqualTo(V2);
  }

  @Test
  void stableForIsValidated() throws Exception {
    spec.getHealth().setStableFor("0s");
    assertThat(ReleaseSettings.from("demo", spec).stableFor()).isZero();
    spec.getHealth().setStableFor("1m30s");
    spec.getHealth().setProgressDeadline("5m");
    assertThat(ReleaseSettings.from("demo", spec).stableFor()).isEqualTo(Duration.ofSeconds(90));
    spec.getHealth().setStableFor(null);
    assertThat(ReleaseSettings.from("demo", spec).stableFor()).isZero();

    spec.getHealth().setStableFor("5m");
    assertThatThrownBy(() -> ReleaseSettings.from("demo", spec)).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.health.stableFor 5m must be shorter than progressDeadline 5m00s");
    spec.getHealth().setStableFor("a while");
    assertThatThrownBy(() -> ReleaseSettings.from("demo", spec)).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.health.stableFor 'a while' is not a duration");
  }
}
