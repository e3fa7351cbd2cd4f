package dev.backstop.operator.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceHealthJudgeTest {

  private static ContainerState c(String service, String state, Health health, Integer exit) {
    return new ContainerState(service, "id-" + service, service + "-1", state, health, "busybox:1.36", "/x", exit);
  }

  @Test
  void passesWhenEveryServiceRunsAndHealthchecksPass() {
    CheckResult r = ServiceHealthJudge.evaluate("services", List.of("web", "db"),
        List.of(c("web", "running", Health.HEALTHY, null), c("db", "running", Health.NONE, null)));
    assertThat(r.outcome()).isEqualTo(Outcome.PASS);
    assertThat(r.value()).isEqualTo("2/2 services healthy");
  }

  @Test
  void unhealthyExitedAndMissingServicesFailAndAreNamed() {
    CheckResult r = ServiceHealthJudge.evaluate("services", List.of("web", "db", "cache", "ok"),
        List.of(c("web", "running", Health.UNHEALTHY, null), c("db", "exited", Health.NONE, 3),
            c("ok", "running", Health.NONE, null)));
    assertThat(r.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(r.failingServices()).containsExactly("web", "db", "cache");
    assertThat(r.message()).contains("web is unhealthy", "db is exited (exit code 3)", "cache has no container");
    assertThat(r.value()).isEqualTo("1/4 services healthy");
  }

  @Test
  void startingHealthcheckIsPendingNotFailing() {
    CheckResult r = ServiceHealthJudge.evaluate("services", List.of("web"),
        List.of(c("web", "running", Health.STARTING, null)));
    assertThat(r.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(r.message()).contains("web");
  }

  @Test
  void oneBadReplicaFailsTheService() {
    CheckResult r = ServiceHealthJudge.evaluate("services", List.of("web"),
        List.of(c("web", "running", Health.HEALTHY, null), c("web", "exited", Health.NONE, 1)));
    assertThat(r.outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void aContainerItsRestartPolicyBringsBackIsPendingUntilItCrashLoops() {
    ContainerState killedOnce = new ContainerState("web", "id", "web-1", "restarting", Health.NONE, "busybox:1.36",
        "/x", 137, null, 1);
    CheckResult r = ServiceHealthJudge.evaluate("services", List.of("web"), List.of(killedOnce));
    assertThat(r.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(r.message()).contains("web", "restart policy");

    ContainerState looping = new ContainerState("web", "id", "web-1", "restarting", Health.NONE, "busybox:1.36",
        "/x", 1, null, ContainerState.FORGIVEN_RESTARTS + 1);
    CheckResult loop = ServiceHealthJudge.evaluate("services", List.of("web"), List.of(looping));
    assertThat(loop.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(loop.message()).contains("web is restarting");
  }

  @Test
  void servicesOutsideTheSelectionAreIgnored() {
    CheckResult r = ServiceHealthJudge.evaluate("web-only", List.of("web"),
        List.of(c("web", "running", Health.HEALTHY, null), c("worker", "exited", Health.NONE, 1)));
    assertThat(r.outcome()).isEqualTo(Outcome.PASS);
  }
}
