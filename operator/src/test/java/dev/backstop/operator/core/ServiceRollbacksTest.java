package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackScope;
import dev.backstop.operator.api.v1alpha1.RollbackSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceRollbacksTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
    h.containers = List.of(container("api"), container("web"));
  }

  private static ContainerState container(String service) {
    return new ContainerState(service, service + "-id", "demo-" + service + "-1", "running",
        ContainerState.Health.HEALTHY, "busybox:1.36", "/state/checkouts/" + V1, null);
  }

  private void scope(RollbackScope scope) {
    RollbackSpec rollback = new RollbackSpec();
    rollback.setScope(scope);
    h.spec.setRollback(rollback);
  }

  private static void assertApply(Action action, ActionKind kind, String commit, String... services) {
    assertThat(action).isInstanceOfSatisfying(Action.Apply.class, a -> {
      assertThat(a.kind()).isEqualTo(kind);
      assertThat(a.target().getCommit()).isEqualTo(commit);
      assertThat(a.downFirst()).isFalse();
      assertThat(a.services()).containsExactly(services);
    });
  }

  private Condition condition(ConditionType type) {
    return Conditions.find(h.status.getConditions(), type);
  }

  /** v1 healthy, v2 deployed, and its check finds only api failing. */
  private void v2BreaksApi() {
    scope(RollbackScope.Service);
    h.settle();
    h.ref("v2").reconcile();
    h.checks(Outcome.FAIL, "api").advance(Duration.ofSeconds(1)).reconcile();
  }

  @Test
  void scopeServiceRollsBackOnlyTheFailingServiceAndSaysSoInPhaseAndConditions() {
    v2BreaksApi();

    assertApply(h.last.action(), ActionKind.Rollback, V1, "api");
    assertThat(h.status.getOperation().getServices()).containsExactly("api");
    assertThat(h.status.getOperation().getReason()).contains("rolling back only service api");
    // The release still runs v2: only api went back, so current does not move.
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getRolledBackServices()).singleElement().satisfies(r -> {
      assertThat(r.getName()).isEqualTo("api");
      assertThat(r.getRevision().getCommit()).isEqualTo(V1);
    });
    assertThat(condition(ConditionType.Ready).getMessage()).contains("rolling back service api to v1");

    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.PartiallyRolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V2);
    Condition ready = condition(ConditionType.Ready);
    assertThat(ready.getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(ready.getReason()).isEqualTo(Reason.PartiallyRolledBack);
    assertThat(ready.getMessage()).contains("service api on v1 (1111111)", "the rest on v2 (2222222)");
    assertThat(condition(ConditionType.Healthy).getStatus()).isEqualTo(ConditionStatus.True);
    assertThat(h.status.getLastRollback().getServicesAffected()).containsExactly("api");
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getHistory().get(0).getServices()).containsExactly("api");
    assertThat(h.status.getHistory()).extracting(e -> e.getAction() + ":" + e.getResult())
        .containsExactly("Rollback:Succeeded", "Deploy:Failed", "Deploy:Succeeded");
    assertThat(h.events).anySatisfy(e -> {
      assertThat(e.reason()).isEqualTo(ReleaseEvent.Kind.RollbackSucceeded);
      assertThat(e.message()).contains("partially rolled back", "service api on v1");
    });
  }

  @Test
  void aPartiallyRolledBackReleaseStaysSoAndDeploysNothing() {
    v2BreaksApi();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();
    for (int i = 0; i < 3; i++) {
      assertThat(h.advance(Duration.ofSeconds(30)).reconcile().action()).isEqualTo(Action.NONE);
    }
    assertThat(h.status.getPhase()).isEqualTo(Phase.PartiallyRolledBack);
    assertThat(h.applied).containsExactly(V1, V2, V1);
  }

  @Test
  void theNextCommitAppliesEveryServiceAgain() {
    v2BreaksApi();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    Decision deploy = h.ref("v3").reconcile();

    assertApply(deploy.action(), ActionKind.Deploy, V3);
    assertThat(h.status.getRolledBackServices()).isEmpty();
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V3);
    assertThat(condition(ConditionType.Ready).getStatus()).isEqualTo(ConditionStatus.True);
  }

  @Test
  void aPartiallyRolledBackStackThatTripsAgainGoesBackWhole() {
    v2BreaksApi();
    h.checks(Outcome.PASS).advance(Duration.ofSeconds(1)).reconcile();

    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(10)).reconcile();

    assertThat(h.last.action()).isInstanceOf(Action.Apply.class);
    assertThat(((Action.Apply) h.last.action()).services()).isEmpty();
    assertThat(h.status.getOperation().getReason()).contains("rolling back the whole release");
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getRolledBackServices()).isEmpty();
  }

  @Test
  void aFailedGradualRollbackStaysFailedWithTheServicesItMoved() {
    v2BreaksApi();
    h.advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    for (int i = 0; i < 2; i++) {
      h.advance(Duration.ofSeconds(30)).reconcile();
    }
    assertThat(h.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(condition(ConditionType.Ready).getReason()).isEqualTo(Reason.RollbackFailed);
    assertThat(h.status.getRolledBackServices()).extracting(r -> r.getName()).containsExactly("api");
  }

  @Test
  void scopeReleaseRollsBackEverything() {
    h.settle();
    h.ref("v2").reconcile();
    h.checks(Outcome.FAIL, "api").advance(Duration.ofSeconds(1)).reconcile();

    assertThat(((Action.Apply) h.last.action()).services()).isEmpty();
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getRolledBackServices()).isEmpty();
  }

  @Test
  void aServiceRollbackByHandMovesOnlyTheNamedServices() {
    h.settle();
    h.ref("v2").settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);

    h.requests.put(StagingRelease.ROLLBACK_SERVICES_ANNOTATION, "web;2026-12-01T00:00:00Z-1");
    h.advance(Duration.ofSeconds(1)).reconcile();

    assertApply(h.last.action(), ActionKind.Rollback, V1, "web");
    assertThat(h.status.getOperation().getTrigger()).isEqualTo(Trigger.Manual);
    assertThat(h.status.getLastRequest().getAccepted()).isTrue();
    assertThat(h.status.getLastRequest().getMessage()).contains("rolling back web to v1", "stay on v2");
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.PartiallyRolledBack);
    assertThat(h.status.getRolledBackServices()).extracting(r -> r.getName()).containsExactly("web");
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
  }

  @Test
  void aServiceRollbackOfAnUnknownServiceIsRefusedNamingTheServices() {
    h.settle();
    h.ref("v2").settle();

    h.requests.put(StagingRelease.ROLLBACK_SERVICES_ANNOTATION, "db");
    h.advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getLastRequest().getAccepted()).isFalse();
    assertThat(h.status.getLastRequest().getMessage()).contains("no service db", "it runs api, web");
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void aServiceRollbackWithNothingToGoBackToIsRefused() {
    h.settle();

    h.requests.put(StagingRelease.ROLLBACK_SERVICES_ANNOTATION, "api;1");
    h.advance(Duration.ofSeconds(1)).reconcile();

    assertThat(h.last.action()).isEqualTo(Action.NONE);
    assertThat(h.status.getLastRequest().getAccepted()).isFalse();
    assertThat(h.status.getLastRequest().getMessage()).contains("no earlier healthy commit");
  }

  @Test
  void requestValuesNameServicesBeforeTheirUniquePart() {
    assertThat(ServiceRollbacks.requested("api, web;2026-12-01T00:00:00Z-ab", null)).containsExactly("api", "web");
    assertThat(ServiceRollbacks.requested("api,,api", null)).containsExactly("api");
    assertThat(ServiceRollbacks.requested(";x", null)).isEmpty();
    // Local mode's annotation|request: whichever part is new.
    assertThat(ServiceRollbacks.requested("|web;1", null)).containsExactly("web");
    assertThat(ServiceRollbacks.requested("api|web;2", "api|web;1")).containsExactly("web");
    assertThat(ServiceRollbacks.requested("db|web;1", "api|web;1")).containsExactly("db");
    assertThat(ServiceRollbacks.refusal(List.of(), new StagingReleaseStatus())).contains("names no service");
  }

  // Attribution of trips to services, checked on parsed settings and recorded check states.

  private static HealthCheckSpec check(String name, CheckType type, String service) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName(name);
    c.setType(type);
    c.setService(service);
    return c;
  }

  private static ReleaseSettings settings(HealthCheckSpec... checks) {
    ReleaseHarness spec = new ReleaseHarness();
    spec.spec.getHealth().setChecks(List.of(checks));
    RollbackSpec rollback = new RollbackSpec();
    rollback.setScope(RollbackScope.Service);
    spec.spec.setRollback(rollback);
    return TestSettings.of("demo", spec.spec);
  }

  private static StagingReleaseStatus tripped(String... checks) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    for (String name : checks) {
      CheckStatus c = new CheckStatus();
      c.setName(name);
      c.setTripped(true);
      s.getChecks().add(c);
    }
    return s;
  }

  private static Observation observed(CheckResult... results) {
    return new Observation(1, SourceState.resolved(V2, false), List.of(), List.of(results), null, java.util.Map.of());
  }

  @Test
  void checksNameTheirServicesAndResponseTimeInheritsItsHttpChecks() {
    HealthCheckSpec http = check("api-http", CheckType.HTTP, "api");
    http.setUrl("http://127.0.0.1:1/health");
    HealthCheckSpec slow = check("api-slow", CheckType.RESPONSE_TIME, null);
    slow.setCheck("api-http");
    slow.setLimit("500ms");
    HealthCheckSpec exec = check("worker-ping", CheckType.EXEC, "worker");
    exec.setCommand(List.of("true"));
    ReleaseSettings settings = settings(http, slow, exec, check("services", CheckType.SERVICE_HEALTH, null));

    ServiceRollbacks.Scope scope = ServiceRollbacks.of(settings, tripped("api-slow", "worker-ping", "services"),
        observed(new CheckResult("services", Outcome.FAIL, "2/3", "web unhealthy", List.of("web"))));

    assertThat(scope.partial()).isTrue();
    assertThat(scope.services()).containsExactly("api", "worker", "web");
    assertThat(scope.note()).contains("rolling back only services api, worker, web");
  }

  @Test
  void aTripNoServiceCanBeNamedForRollsBackTheWholeReleaseAndSaysWhy() {
    HealthCheckSpec http = check("front", CheckType.HTTP, null);
    http.setUrl("http://127.0.0.1:1/");
    ReleaseSettings settings = settings(http, check("services", CheckType.SERVICE_HEALTH, null));

    ServiceRollbacks.Scope scope = ServiceRollbacks.of(settings, tripped("front", "services"),
        observed(new CheckResult("services", Outcome.FAIL, "1/2", "api unhealthy", List.of("api"))));

    assertThat(scope.partial()).isFalse();
    assertThat(scope.note()).contains("check front names no service", "rolling back the whole release");
  }

  @Test
  void scopeReleaseNeverNarrows() {
    ReleaseHarness plain = new ReleaseHarness();
    ReleaseSettings settings = TestSettings.of("demo", plain.spec);
    ServiceRollbacks.Scope scope = ServiceRollbacks.of(settings, tripped("services"),
        observed(new CheckResult("services", Outcome.FAIL, "1/2", "api unhealthy", List.of("api"))));
    assertThat(scope).isEqualTo(ServiceRollbacks.Scope.WHOLE);
  }
}
