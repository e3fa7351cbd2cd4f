package dev.backstop.operator.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.Percentages;
import dev.backstop.operator.core.ReleaseSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Check definitions: defaults, and problems that name the field and stay with their check. */
class CheckSettingsTest {

  private static ReleaseSettings settings(HealthCheckSpec... checks) throws InvalidSpecException {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("main");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setInterval("2s");
    health.setChecks(List.of(checks));
    spec.setHealth(health);
    return ReleaseSettings.from("demo", spec);
  }

  /** The error of an invalid check, failing the test when the check is usable. */
  private static String error(ReleaseSettings s, String name) {
    assertThat(s.check(name)).as(name).isInstanceOf(InvalidCheck.class);
    return ((InvalidCheck) s.check(name)).error();
  }

  private static HealthCheckSpec check(String name, CheckType type) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName(name);
    c.setType(type);
    return c;
  }

  @Test
  void httpDefaultsComeFromTheHealthSpec() throws Exception {
    HealthCheckSpec http = check("web", CheckType.HTTP);
    http.setUrl("http://127.0.0.1:8080/health");
    HttpCheck c = (HttpCheck) settings(http).check("web");
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.method()).isEqualTo("GET");
    assertThat(c.statusFrom()).isEqualTo(200);
    assertThat(c.statusTo()).isEqualTo(399);
    assertThat(c.action()).isEqualTo(CheckAction.ROLLBACK);
    assertThat(c.consecutiveFailures()).isEqualTo(1);
  }

  @Test
  void eachBrokenFieldIsNamedAndStaysWithItsCheck() throws Exception {
    HealthCheckSpec http = check("web", CheckType.HTTP);
    http.setUrl("localhost:8080/health");
    http.setInterval("soon");
    http.setExpectedStatus("2xx");
    HealthCheckSpec rate = check("errors", CheckType.ERROR_RATE);
    rate.setCheck("nope");
    rate.setLimit("5 percent");
    HealthCheckSpec latency = check("latency", CheckType.RESPONSE_TIME);
    latency.setCheck("web");
    latency.setLimit("500");
    HealthCheckSpec services = check("services", CheckType.SERVICE_HEALTH);

    ReleaseSettings s = settings(http, rate, latency, services);

    assertThat(error(s, "web")).contains(
        "spec.health.checks[0].url 'localhost:8080/health' is not an http(s) URL",
        "spec.health.checks[0].interval 'soon' is not a duration",
        "spec.health.checks[0].expectedStatus '2xx' is not a status code or range");
    assertThat(error(s, "errors")).contains(
        "spec.health.checks[1].check 'nope' names no http check of this release",
        "spec.health.checks[1].limit '5 percent' is not a percentage");
    assertThat(error(s, "latency")).contains("spec.health.checks[2].limit '500' is not a duration");
    assertThat(s.check("services")).as("the other checks keep working").isInstanceOf(ServiceHealthCheck.class);
  }

  @Test
  void percentagesAndPrometheusFieldsAreParsed() throws Exception {
    HealthCheckSpec services = check("services", CheckType.SERVICE_HEALTH);
    services.setMinimum("66.5%");
    HealthCheckSpec prom = check("up", CheckType.PROMETHEUS);
    prom.setUrl("http://127.0.0.1:9090");
    prom.setQuery("up");
    prom.setOperator("=>");
    prom.setThreshold("one");
    ReleaseSettings s = settings(services, prom);
    assertThat(((ServiceHealthCheck) s.check("services")).minimum()).isEqualTo(0.665);
    assertThat(error(s, "up")).contains(".operator '=>' is not one of", ".threshold 'one' is not a number");
    assertThat(Percentages.parse("f", "5%")).isEqualTo(0.05);
    assertThat(Percentages.format(0.05)).isEqualTo("5%");
  }

  @Test
  void eachKindBecomesItsOwnRecord() throws Exception {
    HealthCheckSpec http = check("web", CheckType.HTTP);
    http.setUrl("http://127.0.0.1:8080/health");
    http.setExpectedStatus("204");
    http.setBodyMatch("ok");
    HealthCheckSpec latency = check("latency", CheckType.RESPONSE_TIME);
    latency.setCheck("web");
    latency.setLimit("250ms");
    HealthCheckSpec samples = check("errors", CheckType.ERROR_RATE);
    samples.setCheck("web");
    samples.setLimit("5%");
    HealthCheckSpec query = check("prom-errors", CheckType.ERROR_RATE);
    query.setUrl("http://127.0.0.1:9090");
    query.setQuery("rate(errors[1m])");
    query.setLimit("1%");
    HealthCheckSpec exec = check("redis", CheckType.EXEC);
    exec.setService("cache");
    exec.setCommand(List.of("redis-cli", "ping"));
    exec.setAction(CheckAction.ALERT);
    HealthCheckSpec prom = check("up", CheckType.PROMETHEUS);
    prom.setUrl("http://127.0.0.1:9090");
    prom.setQuery("up");
    prom.setOperator(">=");
    prom.setThreshold("1");
    HealthCheckSpec services = check("services", CheckType.SERVICE_HEALTH);
    services.setServices(List.of("web"));

    ReleaseSettings s = settings(http, latency, samples, query, exec, prom, services);

    assertThat(s.check("web")).isInstanceOfSatisfying(HttpCheck.class, c -> {
      assertThat(c.expectedStatus()).isEqualTo("204");
      assertThat(c.bodyMatch().pattern()).isEqualTo("ok");
    });
    assertThat(s.check("latency")).isEqualTo(new ResponseTimeCheck(
        s.check("latency").basics(), "web", Duration.ofMillis(250)));
    assertThat(s.check("errors")).isInstanceOfSatisfying(SampleErrorRateCheck.class, c -> {
      assertThat(c.source()).isEqualTo("web");
      assertThat(c.window()).isEqualTo(CheckDefaults.WINDOW);
      assertThat(c.limit()).isEqualTo(0.05);
    });
    assertThat(s.check("prom-errors")).isInstanceOfSatisfying(QueryErrorRateCheck.class, c -> {
      assertThat(c.query()).isEqualTo("rate(errors[1m])");
      assertThat(c.limit()).isEqualTo(0.01);
    });
    assertThat(s.check("redis")).isInstanceOfSatisfying(ExecCheck.class, c -> {
      assertThat(c.command()).containsExactly("redis-cli", "ping");
      assertThat(c.rollsBack()).isFalse();
    });
    assertThat(s.check("up")).isInstanceOfSatisfying(PrometheusCheck.class, c -> {
      assertThat(c.operator()).isEqualTo(">=");
      assertThat(c.threshold()).isEqualTo(1.0);
    });
    assertThat(s.check("services")).isInstanceOfSatisfying(ServiceHealthCheck.class,
        c -> assertThat(c.services()).containsExactly("web"));
  }

  @Test
  void aBrokenCheckKeepsItsKindNameAndCommonFields() throws Exception {
    HealthCheckSpec exec = check("redis", CheckType.EXEC);
    exec.setConsecutiveFailures(0);
    exec.setInterval("5s");

    InvalidCheck c = (InvalidCheck) settings(exec).check("redis");

    assertThat(c.type()).isEqualTo(CheckType.EXEC);
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.consecutiveFailures()).isEqualTo(1);
    assertThat(c.error()).isEqualTo("spec.health.checks[0].consecutiveFailures must be 1 or more, not 0; "
        + "spec.health.checks[0].service is required for exec: the compose service to run the command in; "
        + "spec.health.checks[0].command is required for exec, e.g. [redis-cli, ping]");
  }

  @Test
  void aReleaseWithoutChecksWatchesEveryService() throws Exception {
    ReleaseSettings s = settings();
    assertThat(s.checks()).containsExactly(ServiceHealthCheck.everyService(Duration.ofSeconds(2)));
    assertThat(s.check("services").timeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void missingNameOrTypeStillInvalidatesTheSpec() {
    HealthCheckSpec noType = check("x", null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> settings(noType))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.health.checks[0].type is required");
  }
}
