package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.core.checks.PrometheusCheck;
import dev.backstop.operator.core.checks.QueryOutcome;
import dev.backstop.operator.core.checks.QueryOutcome.Kind;
import dev.backstop.operator.core.checks.Thresholds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromQL checks against a real Prometheus server (Debian's prometheus package) on a free loopback
 * port, scraping itself: values, empty results, and queries the server rejects (the check is in
 * error, not failing).
 */
class PrometheusProbeIT {

  @TempDir static Path tmp;
  private static TestPrometheus prometheus;
  private static String url;
  private static final LiveProbes PROBES = new LiveProbes(new DockerHosts());
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @BeforeAll
  static void startPrometheus() throws Exception {
    prometheus = TestPrometheus.start(tmp, "self", null);
    url = prometheus.url;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> PROBES.query(url, "up{job=\"self\"}", TIMEOUT).kind() == Kind.OK);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    PROBES.close();
  }

  private static PrometheusCheck check(String query, String operator, String threshold) throws Exception {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("prom");
    c.setType(CheckType.PROMETHEUS);
    c.setUrl(url);
    c.setQuery(query);
    c.setOperator(operator);
    c.setThreshold(threshold);
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("main");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setChecks(List.of(c));
    spec.setHealth(health);
    return (PrometheusCheck) ReleaseSettings.from("demo", spec).check("prom");
  }

  private static Outcome run(PrometheusCheck c) {
    return Thresholds.query(c, PROBES.query(c.url(), c.query(), TIMEOUT), Instant.now()).outcome();
  }

  @Test
  void aQueryValueIsComparedWithTheThreshold() throws Exception {
    QueryOutcome up = PROBES.query(url, "up{job=\"self\"}", TIMEOUT);
    assertThat(up.value()).isEqualTo(1.0);
    assertThat(run(check("up{job=\"self\"}", "==", "1"))).isEqualTo(Outcome.PASS);
    assertThat(run(check("up{job=\"self\"}", "<", "1"))).isEqualTo(Outcome.FAIL);
    assertThat(run(check("scalar(up{job=\"self\"}) * 2", ">=", "2"))).isEqualTo(Outcome.PASS);
  }

  @Test
  void aQueryTheServerRejectsIsAnErrorAndAnEmptyOneFails() throws Exception {
    QueryOutcome rejected = PROBES.query(url, "rate(up[", TIMEOUT);
    assertThat(rejected.kind()).isEqualTo(Kind.REJECTED);
    assertThat(rejected.message()).contains("rejected", "bad_data");
    assertThat(run(check("rate(up[", ">", "0"))).isEqualTo(Outcome.ERROR);
    assertThat(run(check("up{job=\"nope\"}", "==", "1"))).isEqualTo(Outcome.FAIL);
  }

  @Test
  void anUnreachableServerDecidesNothing() throws Exception {
    QueryOutcome down = PROBES.query("http://127.0.0.1:" + LocalModeIT.freePort(), "up", TIMEOUT);
    assertThat(down.kind()).isEqualTo(Kind.UNAVAILABLE);
  }
}
