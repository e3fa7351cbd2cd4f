package dev.backstop.operator.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import dev.backstop.operator.core.ReleaseSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runbook's limits at and around their boundaries, with a fake clock. */
public class ThresholdsTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  public static ReleaseSettings settings(HealthCheckSpec... checks) throws Exception {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("main");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setInterval("1s");
    health.setChecks(List.of(checks));
    spec.setHealth(health);
    return ReleaseSettings.from("demo", spec);
  }

  public static HealthCheckSpec http() {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("http");
    c.setType(CheckType.HTTP);
    c.setUrl("http://127.0.0.1:8080/health");
    return c;
  }

  public static HealthCheckSpec responseTime(String limit) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("response_time");
    c.setType(CheckType.RESPONSE_TIME);
    c.setCheck("http");
    c.setLimit(limit);
    c.setConsecutiveFailures(3);
    return c;
  }

  public static HealthCheckSpec errorRate(String limit, String window) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("error_rate");
    c.setType(CheckType.ERROR_RATE);
    c.setCheck("http");
    c.setLimit(limit);
    c.setWindow(window);
    c.setConsecutiveFailures(2);
    return c;
  }

  private static HttpSample sample(Instant at, long millis, boolean passed) {
    return new HttpSample(at, passed ? 200 : 500, Duration.ofMillis(millis), passed, false, "x");
  }

  private static ResponseTimeCheck responseTimeCheck() throws Exception {
    return (ResponseTimeCheck) settings(http(), responseTime("500ms")).check("response_time");
  }

  @Test
  void responseOfExactly500msIsNotOverA500msLimit() throws Exception {
    ResponseTimeCheck c = responseTimeCheck();
    assertThat(Thresholds.responseTime(c, sample(T0, 499, true)).outcome()).isEqualTo(Outcome.PASS);
    assertThat(Thresholds.responseTime(c, sample(T0, 500, true)).outcome()).isEqualTo(Outcome.PASS);
    CheckResult slow = Thresholds.responseTime(c, sample(T0, 501, true));
    assertThat(slow.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(slow.message()).isEqualTo("response took 501ms, over the 500ms limit");
    assertThat(slow.probedAt()).isEqualTo(T0);
  }

  @Test
  void aRequestPastTheLimitFailsBeforeItsAnswerAndTheAnswerIsNotCountedAgain() throws Exception {
    ResponseTimeCheck c = responseTimeCheck();
    CheckResult overdue = Thresholds.responseTimeOverdue(c, T0);
    assertThat(overdue.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(overdue.value()).isEqualTo(">500ms");
    assertThat(overdue.message()).isEqualTo("no response within the 500ms limit");
    assertThat(overdue.probedAt()).isEqualTo(T0);
    ReleaseSettings s = settings(http(), responseTime("500ms"));
    List<dev.backstop.operator.api.v1alpha1.CheckStatus> counted =
        CheckTracker.record(List.of(), List.of(overdue), s, T0.plusMillis(501));
    List<dev.backstop.operator.api.v1alpha1.CheckStatus> answered = CheckTracker.record(
        counted, List.of(Thresholds.responseTime(c, sample(T0, 1050, true))), s, T0.plusMillis(1050));
    assertThat(answered.get(1).getConsecutiveFailures()).as("one probe, one failure").isEqualTo(1);
  }

  @Test
  void aTimedOutRequestIsSlowAndARefusedOneIsNotMeasured() throws Exception {
    ResponseTimeCheck c = responseTimeCheck();
    HttpSample timedOut = new HttpSample(T0, 0, Duration.ofSeconds(1), false, true, "no response");
    assertThat(Thresholds.responseTime(c, timedOut).outcome()).isEqualTo(Outcome.FAIL);
    HttpSample refused = new HttpSample(T0, 0, null, false, false, "connection refused");
    assertThat(Thresholds.responseTime(c, refused).outcome()).isEqualTo(Outcome.PENDING);
  }

  @Test
  void errorRateOfExactly5PercentIsNotOverA5PercentLimit() throws Exception {
    SampleErrorRateCheck c = (SampleErrorRateCheck) settings(http(), errorRate("5%", "1m")).check("error_rate");
    List<HttpSample> samples = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      samples.add(sample(T0.plusSeconds(i), 10, i != 0));
    }
    CheckResult atLimit = Thresholds.errorRate(c, samples, T0.plusSeconds(19));
    assertThat(atLimit.outcome()).isEqualTo(Outcome.PASS);
    assertThat(atLimit.value()).isEqualTo("5%");

    samples.add(sample(T0.plusSeconds(20), 10, false));
    CheckResult over = Thresholds.errorRate(c, samples, T0.plusSeconds(20));
    assertThat(over.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(over.message()).isEqualTo("2/21 requests failed: error rate 9.52% is over the 5% limit");
  }

  @Test
  void errorRateWindowSlidesOldFailuresOut() throws Exception {
    SampleErrorRateCheck c = (SampleErrorRateCheck) settings(http(), errorRate("5%", "10s")).check("error_rate");
    List<HttpSample> samples = new ArrayList<>();
    samples.add(sample(T0, 10, false));
    for (int i = 1; i <= 10; i++) {
      samples.add(sample(T0.plusSeconds(i), 10, true));
    }
    // At T0+9s the failure at T0 is inside (T0-1s, T0+9s]; at T0+10s it sits on the edge and is out.
    assertThat(Thresholds.errorRate(c, samples, T0.plusSeconds(9)).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(Thresholds.errorRate(c, samples, T0.plusSeconds(10)).outcome()).isEqualTo(Outcome.PASS);
    assertThat(Thresholds.errorRate(c, samples, T0.plusSeconds(30)).outcome()).isEqualTo(Outcome.PENDING);
  }

  @Test
  void prometheusComparisonsFollowTheOperator() {
    assertThat(Thresholds.compare(0.05, "<", 0.05)).isFalse();
    assertThat(Thresholds.compare(0.05, "<=", 0.05)).isTrue();
    assertThat(Thresholds.compare(1, "==", 1)).isTrue();
    assertThat(Thresholds.compare(Double.NaN, "!=", 1)).isTrue();
    assertThat(Thresholds.compare(Double.NaN, ">=", 0)).isFalse();
  }

  @Test
  void aQueryTheServerRejectsIsAnErrorNotAFailure() throws Exception {
    HealthCheckSpec prom = new HealthCheckSpec();
    prom.setName("up");
    prom.setType(CheckType.PROMETHEUS);
    prom.setUrl("http://127.0.0.1:9090");
    prom.setQuery("up");
    prom.setOperator("==");
    prom.setThreshold("1");
    PrometheusCheck c = (PrometheusCheck) settings(prom).check("up");
    QueryOutcome rejected = new QueryOutcome(null, QueryOutcome.Kind.REJECTED, "bad_data");
    assertThat(Thresholds.query(c, rejected, T0).outcome()).isEqualTo(Outcome.ERROR);
    QueryOutcome down = new QueryOutcome(null, QueryOutcome.Kind.UNAVAILABLE, "refused");
    assertThat(Thresholds.query(c, down, T0).outcome()).isEqualTo(Outcome.PENDING);
    assertThat(Thresholds.query(c, new QueryOutcome(0.0, QueryOutcome.Kind.OK, "ok"), T0).outcome())
        .isEqualTo(Outcome.FAIL);
  }

  @Test
  void anExecCheckRunsInARunningContainerOfADefinedServiceOnly() throws Exception {
    HealthCheckSpec spec = new HealthCheckSpec();
    spec.setName("redis");
    spec.setType(CheckType.EXEC);
    spec.setService("cache");
    spec.setCommand(List.of("redis-cli", "ping"));
    ExecCheck c = (ExecCheck) settings(spec).check("redis");
    ContainerState stopped = new ContainerState("cache", "id-1", "cache-1", "exited", Health.NONE, "redis:7", "/x", 1);
    ContainerState running = new ContainerState("cache", "id-2", "cache-2", "running", Health.NONE, "redis:7", "/x", null);

    assertThat(Thresholds.execContainer(c, List.of(stopped, running))).contains(running);
    assertThat(Thresholds.execUnrunnable(c, List.of("cache"), Optional.of(running), T0)).isEmpty();
    CheckResult none = Thresholds.execUnrunnable(c, List.of("cache"), Thresholds.execContainer(c, List.of(stopped)), T0)
        .orElseThrow();
    assertThat(none.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(none.failingServices()).containsExactly("cache");
    CheckResult undefined = Thresholds.execUnrunnable(c, List.of("web"), Optional.of(running), T0).orElseThrow();
    assertThat(undefined.outcome()).as("a wrong definition is an error, not a failure").isEqualTo(Outcome.ERROR);
    assertThat(undefined.message()).contains("service cache is not defined in the compose files");
  }
}
