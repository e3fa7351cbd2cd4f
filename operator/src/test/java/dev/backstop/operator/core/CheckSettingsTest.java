package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
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
    ReleaseSettings.Check c = settings(http).check("web");
    assertThat(c.error()).isNull();
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

    assertThat(s.check("web").error()).contains(
        "spec.health.checks[0].url 'localhost:8080/health' is not an http(s) URL",
        "spec.health.checks[0].interval 'soon' is not a duration",
        "spec.health.checks[0].expectedStatus '2xx' is not a status code or range");
    assertThat(s.check("errors").error()).contains(
        "spec.health.checks[1].check 'nope' names no http check of this release",
        "spec.health.checks[1].limit '5 percent' is not a percentage");
    assertThat(s.check("latency").error()).contains("spec.health.checks[2].limit '500' is not a duration");
    assertThat(s.check("services").error()).as("the other checks keep working").isNull();
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
    assertThat(s.check("services").minimum()).isEqualTo(0.665);
    assertThat(s.check("up").error()).contains(".operator '=>' is not one of", ".threshold 'one' is not a number");
    assertThat(Percentages.parse("f", "5%")).isEqualTo(0.05);
    assertThat(Percentages.format(0.05)).isEqualTo("5%");
  }

  @Test
  void missingNameOrTypeStillInvalidatesTheSpec() {
    HealthCheckSpec noType = check("x", null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> settings(noType))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.health.checks[0].type is required");
  }
}
