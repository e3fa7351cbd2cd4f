package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the decider does with each check's action and with broken checks, with a fake clock. */
class CheckActionDeciderTest {

  private static final String V1 = "1111111111111111111111111111111111111111";
  private static final String V2 = "2222222222222222222222222222222222222222";

  private final ReleaseDecider decider = new ReleaseDecider();
  private final StagingReleaseSpec spec = new StagingReleaseSpec();
  private final Map<String, Outcome> outcomes = new HashMap<>();
  private final List<String> applied = new ArrayList<>();
  private StagingReleaseStatus status;
  private Instant now = Instant.parse("2026-11-26T10:00:00Z");
  private long probe;

  @BeforeEach
  void setUp() {
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("v1");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setInterval("1s");
    health.setProgressDeadline("30s");
    spec.setHealth(health);
  }

  private void checks(HealthCheckSpec... checks) {
    spec.getHealth().setChecks(List.of(checks));
    for (HealthCheckSpec c : checks) {
      outcomes.put(c.getName(), Outcome.PASS);
    }
  }

  private static HealthCheckSpec exec(String name, CheckAction action, int failures) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName(name);
    c.setType(CheckType.EXEC);
    c.setService("web");
    c.setCommand(List.of("true"));
    c.setAction(action);
    c.setConsecutiveFailures(failures);
    return c;
  }

  /** One reconcile with one new probe result per check; applies succeed at once. */
  private void reconcile() {
    probe++;
    List<CheckResult> results = new ArrayList<>();
    Instant probedAt = now;
    outcomes.forEach((name, o) -> results.add(new CheckResult(name, o, o.name(), "probe " + probe, List.of(), probedAt)));
    String commit = spec.getSource().getRef().equals("v1") ? V1 : V2;
    Observation obs = new Observation(1, SourceState.resolved(commit, false), List.of(), results, null, Map.of());
    Decision d = decider.decide(TestSettings.of("demo", spec), status, obs, now);
    status = d.status();
    if (d.action() instanceof Action.Apply apply) {
      applied.add(apply.target().getCommit());
      status = decider.complete(TestSettings.of("demo", spec), status, apply, ApplyOutcome.success(), obs, now).status();
    }
    now = now.plus(Duration.ofSeconds(1));
  }

  private void healthyOnV2() {
    reconcile();
    reconcile();
    spec.getSource().setRef("v2");
    reconcile();
    reconcile();
    assertThat(status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(status.getCurrent().getCommit()).isEqualTo(V2);
  }

  @Test
  void anAlertCheckThatTripsDegradesWithoutRollingBack() {
    checks(exec("redis", CheckAction.ALERT, 2), exec("app", CheckAction.ROLLBACK, 3));
    healthyOnV2();
    outcomes.put("redis", Outcome.FAIL);
    for (int i = 0; i < 5; i++) {
      reconcile();
    }
    assertThat(status.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(applied).containsExactly(V1, V2);
    assertThat(Conditions.find(status.getConditions(), ConditionType.Healthy).getMessage()).contains("check redis failed");
  }

  @Test
  void aRollbackCheckThatTripsRollsBackOnceAndIsNamed() {
    checks(exec("redis", CheckAction.ALERT, 2), exec("app", CheckAction.ROLLBACK, 3));
    healthyOnV2();
    outcomes.put("app", Outcome.FAIL);
    reconcile();
    reconcile();
    assertThat(applied).containsExactly(V1, V2);
    reconcile();
    assertThat(applied).containsExactly(V1, V2, V1);
    assertThat(status.getHistory().get(0).getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(status.getHistory().get(0).getTrigger()).isEqualTo(Trigger.HealthCheck);
    assertThat(status.getHistory().get(0).getReason()).contains("check app failed 3x");
    assertThat(status.getLastRollback().getReason()).contains("check app failed 3x").doesNotContain("redis");
    assertThat(status.getHistory().get(0).getTrippedChecks()).as("named structurally, alert checks not")
        .containsExactly("app");
    assertThat(status.getLastRollback().getTrippedChecks()).containsExactly("app");
    for (int i = 0; i < 5; i++) {
      reconcile();
    }
    assertThat(applied).as("exactly one rollback").containsExactly(V1, V2, V1);
  }

  @Test
  void aBrokenCheckIsReportedNeverRollsBackAndTheOthersKeepWorking() {
    HealthCheckSpec broken = exec("broken", CheckAction.ROLLBACK, 1);
    broken.setInterval("often");
    checks(broken, exec("app", CheckAction.ROLLBACK, 1));
    outcomes.put("broken", Outcome.FAIL);
    healthyOnV2();
    assertThat(status.getChecks()).filteredOn(c -> c.getName().equals("broken")).singleElement()
        .satisfies(c -> {
          assertThat(c.getState()).isEqualTo(CheckState.Error);
          assertThat(c.getMessage()).contains("spec.health.checks[0].interval 'often' is not a duration");
        });
    assertThat(Conditions.find(status.getConditions(), ConditionType.Stalled).getReason()).isEqualTo(Reason.CheckInvalid);
    assertThat(applied).containsExactly(V1, V2);

    outcomes.put("app", Outcome.FAIL);
    reconcile();
    assertThat(applied).as("the working check still rolls back").containsExactly(V1, V2, V1);
  }

  @Test
  void aCheckTheServerRejectsIsAnErrorThatNeitherCountsNorRollsBack() {
    checks(exec("query", CheckAction.ROLLBACK, 1), exec("app", CheckAction.ROLLBACK, 1));
    healthyOnV2();
    outcomes.put("query", Outcome.ERROR);
    for (int i = 0; i < 4; i++) {
      reconcile();
    }
    assertThat(applied).containsExactly(V1, V2);
    assertThat(status.getChecks()).filteredOn(c -> c.getName().equals("query")).singleElement()
        .satisfies(c -> assertThat(c.getState()).isEqualTo(CheckState.Error));
    assertThat(Conditions.find(status.getConditions(), ConditionType.Ready).getReason()).isEqualTo(Reason.CheckInvalid);
  }
}
