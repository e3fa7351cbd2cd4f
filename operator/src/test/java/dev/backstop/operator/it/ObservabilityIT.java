package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a real local-mode daemon through the demo's
 * good -> bad -> automatic rollback story, loading examples/observability's alert rules; then every
 * query of the Grafana dashboard (template variables substituted) and every alert expression is
 * evaluated against it and must return data.
 */
class ObservabilityIT {

  private static final Path EXAMPLES = Path.of("../examples/observability");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String RELEASE = "obs";

  @TempDir Path tmp;
  private final String project = "bsobs-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  private Process daemon;
  private TestPrometheus prometheus;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (prometheus != null) {
      prometheus.close();
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void everyDashboardQueryAndAlertExpressionReturnsDataAfterARealRollback() throws Exception {
    long started = System.nanoTime();
    int apiPort = LocalModeIT.freePort();
    int appPort = LocalModeIT.freePort();
    Path promDir = Files.createDirectories(tmp.resolve("prometheus"));
    prometheus = TestPrometheus.start(promDir, "backstop", "127.0.0.1:" + apiPort, EXAMPLES.resolve("backstop-alerts.yml"));

    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    Path manifest = manifests.resolve(RELEASE + ".yaml");
    StatusStore store = new StatusStore(state);
    DemoRepo.write(manifest, manifest(repo.dir, "v1", appPort));
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();

    awaitPhase(store, Phase.Healthy);
    DemoRepo.write(manifest, manifest(repo.dir, "v2", appPort));
    awaitPhase(store, Phase.RolledBack);
    assertThat(store.read(RELEASE).orElseThrow().getBackups()).as("the backup taken before v2").isNotEmpty();

    // Prometheus has scraped the counted rollback (and the deploy it undid).
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() ->
        values(query("sum(backstop_rollbacks_total{result=\"Succeeded\",trigger=\"VerificationFailed\"})")).contains(1.0)
            && values(query("sum(backstop_deploys_total{result=\"Failed\"})")).contains(1.0));
    assertThat(values(query("backstop_release_info{release=\"" + RELEASE + "\"}"))).containsExactly(1.0);
    assertThat(values(query("sum(backstop_health_check_failures_total{check=\"http\"})")).get(0)).isPositive();
    assertThat(promtoolCheckMetrics(get("http://127.0.0.1:" + apiPort + "/metrics"))).isEmpty();

    // Windows that cover everything this test did; Grafana would fill in its own.
    String window = ((System.nanoTime() - started) / 1_000_000_000L + 10) + "s";
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("$__rate_interval", window);
    variables.put("$__range", window);
    variables.put("$window", window);
    variables.put("$namespace", "default");
    variables.put("$release", RELEASE);

    JsonNode dashboard = JSON.readTree(EXAMPLES.resolve("grafana-dashboard.json").toFile());
    List<String> queries = new ArrayList<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10).allSatisfy(q -> assertThat(q).isNotBlank());
    List<String> empty = new ArrayList<>();
    for (String q : queries) {
      String expr = substitute(q, variables);
      if (values(query(expr)).stream().noneMatch(Double::isFinite)) {
        empty.add(expr);
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        String definition = substitute(v.path("definition").asText(), variables);
        String expected = v.path("name").asText().equals("namespace") ? "default" : RELEASE;
        assertThat(labelValues(definition)).as(definition).contains(expected);
      }
    }

    JsonNode rules = YAML.readTree(EXAMPLES.resolve("backstop-alerts.yml").toFile());
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String expr = rule.path("expr").asText();
        alerts.add(rule.path("alert").asText());
        query(expr); // the whole expression evaluates (firing or not)
        String measured = beforeComparison(expr);
        if (values(query(measured)).stream().noneMatch(Double::isFinite)) {
          empty.add(rule.path("alert").asText() + ": " + measured);
        }
      }
    }
    assertThat(empty).as("queries without a finite value").isEmpty();

    // Prometheus itself loaded the rule file and evaluated every alert without error.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      JsonNode loaded = JSON.readTree(get(prometheus.url + "/api/v1/rules")).path("data").path("groups");
      Map<String, String> health = new LinkedHashMap<>();
      loaded.forEach(g -> g.path("rules").forEach(r -> health.put(r.path("name").asText(),
          r.path("health").asText() + " " + r.path("lastError").asText())));
      assertThat(health).containsOnlyKeys(alerts).allSatisfy((name, h) -> assertThat(h).isEqualTo("ok "));
    });
    // A restart re-reads the same status: the new process counts none of the old entries again.
    daemon.destroy();
    assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    daemon = pb.start();
    String metrics = "http://127.0.0.1:" + apiPort + "/metrics";
    String rollback = "backstop_rollbacks_total{namespace=\"default\",release=\"" + RELEASE
        + "\",result=\"Succeeded\",trigger=\"VerificationFailed\"} ";
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> get(metrics).contains(rollback));
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          String scrape = get(metrics);
          return scrape.contains(rollback + "0.0")
              && scrape.contains("backstop_deploys_total{namespace=\"default\",release=\"" + RELEASE
                  + "\",result=\"Failed\"} 0.0");
        });
    System.out.printf("[figures] ObservabilityIT: %d dashboard queries, %d alerts checked in %.1f s%n",
        queries.size(), alerts.size(), (System.nanoTime() - started) / 1e9);
  }

  private String manifest(Path repo, String ref, int appPort) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
        spec:
          source:
            url: file://%s
            ref: %s
          compose:
            projectName: %s
          health:
            interval: 1s
            progressDeadline: 60s
            checks:
            - name: services
              type: serviceHealth
            - name: http
              type: http
              url: http://127.0.0.1:%d/health
              timeout: 2s
          backup:
            service: web
            command: cat /www/version
        """.formatted(RELEASE, repo, ref, project, appPort);
  }

  /** The measured side of an alert, {@code LHS op threshold}: what must have data even when nothing fires. */
  static String beforeComparison(String expr) {
    int depth = 0;
    boolean quoted = false;
    int cut = -1;
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '"' && (i == 0 || expr.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (!quoted && "([{".indexOf(c) >= 0) {
        depth++;
      } else if (!quoted && ")]}".indexOf(c) >= 0) {
        depth--;
      } else if (!quoted && depth == 0 && (c == '<' || c == '>' || (c == '=' && i + 1 < expr.length()
          && expr.charAt(i + 1) == '=') || (c == '!' && i + 1 < expr.length() && expr.charAt(i + 1) == '='))) {
        cut = i;
        break;
      }
    }
    assertThat(cut).as("alert expression %s has the form <measured> <op> <threshold>", expr).isPositive();
    return expr.substring(0, cut).trim();
  }

  private static String substitute(String q, Map<String, String> variables) {
    String out = q;
    for (Map.Entry<String, String> v : variables.entrySet()) {
      out = out.replace(v.getKey(), v.getValue());
    }
    assertThat(out).as("every template variable substituted").doesNotContain("$");
    return out;
  }

  /** An instant query; fails the test on anything but success. */
  private JsonNode query(String expr) throws Exception {
    String body = get(prometheus.url + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode node = JSON.readTree(body);
    assertThat(node.path("status").asText()).as("%s: %s", expr, body).isEqualTo("success");
    return node.path("data");
  }

  private static List<Double> values(JsonNode data) {
    List<Double> out = new ArrayList<>();
    if (data.path("resultType").asText().equals("scalar")) {
      out.add(Double.parseDouble(data.path("result").get(1).asText()));
    } else {
      data.path("result").forEach(r -> out.add(Double.parseDouble(r.path("value").get(1).asText())));
    }
    return out;
  }

  /** Grafana's label_values(selector, label) through Prometheus' label values API. */
  private List<String> labelValues(String definition) throws Exception {
    Matcher m = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)").matcher(definition);
    assertThat(m.matches()).as(definition).isTrue();
    String body = get(prometheus.url + "/api/v1/label/" + m.group(2) + "/values?match[]="
        + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    JSON.readTree(body).path("data").forEach(v -> out.add(v.asText()));
    return out;
  }

  private String get(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  private static String promtoolCheckMetrics(String scrape) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? out.trim() : "exit " + p.exitValue() + ": " + out;
  }

  private void awaitPhase(StatusStore store, Phase phase) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read(RELEASE).map(s -> s.getPhase() == phase).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("phase " + phase + " not reached; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }
}
