package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckVerdicts;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.CheckTracker;
import dev.backstop.operator.core.checks.QueryErrorRateCheck;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook's error_rate trigger (> 5%, 2 consecutive checks) from a Prometheus query, end to
 * end: an app in the test exposes request and error counters in Prometheus text format, a real
 * Prometheus scrapes it every second, and the errorRate check runs in the background
 * {@link HealthMonitor} with {@link LiveProbes}; its results go through {@link CheckTracker} as a
 * reconcile records them. 2% passes, exactly 5% passes, 10% trips on the second failure.
 */
class PrometheusErrorRateIT {

  private static final String QUERY = "sum(app_request_errors_total) / sum(app_requests_total)";

  @TempDir Path tmp;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private HttpServer app;
  private TestPrometheus prometheus;
  private LiveProbes probes;
  private HealthMonitor monitor;
  private ReleaseSettings settings;
  private List<CheckStatus> statuses = List.of();
  /** The newest probe result: status keeps a steady check's first value, so live values are read here. */
  private CheckResult live;
  /** Every distinct (failures, tripped) the check went through, in order. */
  private final List<String> seen = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (monitor != null) {
      monitor.close();
    }
    if (probes != null) {
      probes.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (app != null) {
      app.stop(0);
    }
  }

  @Test
  void anErrorRateQueryOver5PercentTripsAfterTwoFailures() throws Exception {
    startApp();
    String url = startPrometheus();
    settings = settings(url);
    probes = new LiveProbes(new DockerHosts());
    monitor = new HealthMonitor(probes, Clock.systemUTC());

    counters(1000, 20);
    awaitCheck("2% passes", s -> s.getState() == CheckState.Passing && live != null && "2%".equals(live.value()));

    // Exactly the limit: the runbook's "> 5%" does not fire at 5%.
    counters(2000, 100);
    awaitCheck("exactly 5% passes", s -> live != null && "5%".equals(live.value()));
    assertThat(live.outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(live.message()).contains("query returned 0.05", "within the 5% limit");
    assertThat(error().getState()).isEqualTo(CheckState.Passing);
    assertThat(error().getConsecutiveFailures()).isZero();

    seen.clear();
    counters(2100, 210);
    awaitCheck("10% trips", s -> Boolean.TRUE.equals(s.getTripped()));
    assertThat(seen).as("one failure is counted, not acted on; the second trips")
        .containsSubsequence("failures=1 tripped=false", "failures=2 tripped=true")
        .doesNotContain("failures=1 tripped=true");
    assertThat(error().getLastValue()).isEqualTo("10%");
    assertThat(error().getMessage()).contains("error rate 10% is over the 5% limit");
    assertThat(CheckVerdicts.rollbackTripped(statuses, settings)).isTrue();
    assertThat(CheckVerdicts.rollbackTrips(statuses, settings)).containsExactly("error_rate");
    assertThat(CheckVerdicts.describeRollbackTrips(statuses, settings)).contains("check error_rate failed 2x");

    // Back under the limit: one pass resets the count.
    counters(5000, 215); // 4.3%
    awaitCheck("recovered", s -> s.getState() == CheckState.Passing);
    assertThat(error().getConsecutiveFailures()).isZero();
  }

  private void counters(long total, long failed) {
    requests.set(total);
    errors.set(failed);
  }

  private void startApp() throws Exception {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/metrics", exchange -> {
      byte[] body = ("""
          # TYPE app_requests_total counter
          app_requests_total %d
          # TYPE app_request_errors_total counter
          app_request_errors_total %d
          """.formatted(requests.get(), errors.get())).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    app.start();
  }

  private String startPrometheus() throws Exception {
    prometheus = TestPrometheus.start(tmp, "app", "127.0.0.1:" + app.getAddress().getPort());
    return prometheus.url;
  }

  private static ReleaseSettings settings(String url) throws Exception {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("error_rate");
    c.setType(CheckType.ERROR_RATE);
    c.setUrl(url);
    c.setQuery(QUERY);
    c.setLimit("5%");
    c.setConsecutiveFailures(2);
    c.setInterval("1s");
    c.setTimeout("2s");
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("main");
    spec.setSource(source);
    HealthSpec health = new HealthSpec();
    health.setChecks(List.of(c));
    spec.setHealth(health);
    ReleaseSettings settings = ReleaseSettings.from("prom", spec);
    assertThat(settings.check("error_rate")).isInstanceOf(QueryErrorRateCheck.class);
    return settings;
  }

  /** One reconcile's worth: read the latest background results and record them. */
  private CheckStatus reconcile() {
    List<CheckResult> results = monitor.results("prom", settings, "e1",
        new HealthMonitor.Target(null, List.of(), List.of()));
    results.stream().filter(r -> r.check().equals("error_rate")).findFirst().ifPresent(r -> live = r);
    statuses = CheckTracker.record(statuses, results, settings, Instant.now());
    CheckStatus s = error();
    String step = "failures=" + s.getConsecutiveFailures() + " tripped=" + s.getTripped();
    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(step)) {
      seen.add(step);
    }
    return s;
  }

  private CheckStatus error() {
    return statuses.stream().filter(s -> s.getName().equals("error_rate")).findFirst().orElseThrow();
  }

  private void awaitCheck(String what, java.util.function.Predicate<CheckStatus> done) throws Exception {
    try {
      // Probes run every second: looking every 100 ms sees each of their results.
      await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100)).until(() -> done.test(reconcile()));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not reached; check: " + error().getState() + " " + error().getLastValue()
          + " " + error().getMessage() + "; seen " + seen + "\nprometheus log:\n"
          + Files.readString(prometheus.log), e);
    }
  }
}
