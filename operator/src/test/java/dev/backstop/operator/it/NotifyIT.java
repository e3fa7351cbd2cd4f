package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports and webhooks through a real rollback of the demo stack (real git, Compose and Docker,
 * the built jar's `backstop run`): a JDK HTTP receiver checks every body and its signature, a
 * closed port and a receiver that never answers delay nothing, and `backstop report` prints the
 * report as Markdown and JSON and takes a person's notes.
 */
class NotifyIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final String project = "bsnotify-" + UUID.randomUUID().toString().substring(0, 8);
  private final String secret = "hook-" + UUID.randomUUID();
  // A path token like Slack's: the URL is a credential and must not be logged.
  private final String urlToken = "T0KEN" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> slack = new CopyOnWriteArrayList<>();
  private final List<String> silentEvents = new CopyOnWriteArrayList<>();
  private final AtomicInteger silentAnswered = new AtomicInteger();
  private final CountDownLatch silentRelease = new CountDownLatch(1);
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<String> projects = new ArrayList<>(List.of(project));
  private Process daemon;
  private int apiPort;

  private record Received(String event, String signature, String body) {}

  @AfterEach
  void tearDown() throws Exception {
    silentRelease.countDown();
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    servers.forEach(s -> s.stop(0));
    for (String p : projects) {
      DemoRepo.run(List.of("docker", "compose", "-p", p, "down", "-t", "1"), tmp);
    }
  }

  @Test
  void aRealRollbackIsReportedSignedToWebhooksAndDeadReceiversDelayNothing() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    String v2 = repo.commit("v2");
    String live = receiver();
    String silent = silentReceiver();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets/hook.env"), "secret=" + secret + "\n");
    Path state = tmp.resolve("state");
    Path manifest = manifests.resolve("demo.yaml");
    String hooks = """
          rollback:
            reportsToKeep: 5
          notify:
            webhooks:
              - url: http://127.0.0.1:%1$d/dead
              - url: %2$s/silent
              - url: %3$s/json/%4$s
                secretRef:
                  name: hook
              - url: %3$s/slack/%4$s
                format: slack
                events: [RollbackSucceeded]
        """.formatted(closed, silent, live, urlToken);
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v1", project) + hooks);
    startDaemon(manifests, state);
    StatusStore store = new StatusStore(state);
    awaitPhase(store, "demo", Phase.Healthy);
    await().atMost(Duration.ofSeconds(30)).until(() -> events().contains("DeploySucceeded"));

    long applied = System.nanoTime();
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v2", project) + hooks);
    StagingReleaseStatus rolledBack = awaitPhase(store, "demo", Phase.RolledBack);
    double withDeadHooks = (System.nanoTime() - applied) / 1e9;
    // The rollback finished while the silent receiver still held every request unanswered: it
    // was told the rollback started, and the rollback never waited for its answer.
    assertThat(silentEvents).contains("RollbackStarted");
    assertThat(silentAnswered).hasValue(0);
    assertThat(rolledBack.getCurrent().getCommit()).isEqualTo(v1);

    await().atMost(Duration.ofSeconds(30)).until(() -> events().contains("RollbackSucceeded"));
    assertThat(events()).containsExactly("DeployStarted", "DeploySucceeded", "DeployStarted", "RollbackStarted",
        "RollbackSucceeded");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    for (Received r : received) {
      assertThat(r.signature()).as(r.event())
          .isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body().getBytes(StandardCharsets.UTF_8))));
    }
    JsonNode started = body("RollbackStarted");
    assertThat(started.path("release").asText()).isEqualTo("demo");
    assertThat(started.path("phase").asText()).isEqualTo("RollingBack");
    assertThat(started.path("report").path("id").asInt()).isEqualTo(1);
    assertThat(started.path("report").path("report").path("result").asText()).isEqualTo("InProgress");
    JsonNode succeeded = body("RollbackSucceeded");
    JsonNode report = succeeded.path("report");
    assertThat(report.path("id").asInt()).isEqualTo(1);
    assertThat(report.path("report").path("result").asText()).isEqualTo("Succeeded");
    assertThat(report.path("report").path("from").path("commit").asText()).isEqualTo(v2);
    assertThat(report.path("report").path("to").path("commit").asText()).isEqualTo(v1);
    assertThat(report.path("report").path("servicesAffected").toString()).isEqualTo("[\"web\"]");
    assertThat(report.path("report").path("rollbackSeconds").asDouble()).isPositive();
    assertThat(body("DeployStarted").has("report")).isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> !slack.isEmpty());
    assertThat(slack).singleElement().satisfies(text -> assertThat(JSON.readTree(text).path("text").asText())
        .startsWith("Backstop RollbackSucceeded: default/demo: automatic (").contains("rollback #1 succeeded")
        .contains("Services affected: web.").doesNotContain("\n"));

    // The closed port's five deliveries fail after their retries, and that is counted (the silent
    // receiver's time out later and count too, so at least five).
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> deliveries("failed") >= 5);
    String metrics = get("/metrics");
    assertThat(metrics).contains("# HELP backstop_webhook_deliveries_total ")
        .contains("backstop_webhook_deliveries_total{result=\"dropped\"} 0.0");

    // The report, as a person reads it and as a script does.
    Cli md = cli(state, "report", "demo");
    assertThat(md.exit()).as(md.out()).isZero();
    assertThat(md.out()).startsWith("# Rollback Report: demo #1")
        .contains("**Trigger**: Automatic (", "**From**: v2 (", "**To**: v1 (", "**Result**: Succeeded",
            "**Services Affected**: web", "**Rollback Time**: ", "**Root Cause**: _not yet");
    Cli json = cli(state, "report", "demo", "--id", "1", "-o", "json");
    assertThat(json.exit()).isZero();
    assertThat(JSON.readTree(json.out()).path("report").path("to").path("commit").asText()).isEqualTo(v1);
    Cli note = cli(state, "report", "demo", "--root-cause", "v2 answers 500 on /health", "--lessons",
        "probe /health in CI", "--note", "paged at once");
    assertThat(note.out()).isEqualTo("added to rollback report #1 of demo\n");
    assertThat(cli(state, "report", "demo").out()).contains("**Root Cause**: v2 answers 500 on /health",
        "**Lessons Learned**: probe /health in CI", "- paged at once");
    Cli missing = cli(state, "report", "demo", "--id", "7");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).isEqualTo("error: demo has no rollback report #7; it keeps #1 to #1\n");

    String everything = Files.readString(state.resolve("releases/demo/status.json"))
        + Files.readString(state.resolve("releases/demo/reports.json")) + Files.readString(tmp.resolve("backstop.log"));
    assertThat(everything).doesNotContain(secret).doesNotContain(urlToken);

    // The same rollback without webhooks, for the figures: the dead receivers cost it nothing.
    String quiet = project + "-quiet";
    projects.add(quiet);
    Files.delete(manifest);
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    Path other = manifests.resolve("quiet.yaml");
    DemoRepo.write(other, DemoRepo.manifest("quiet", repo.dir, "v1", quiet));
    awaitPhase(store, "quiet", Phase.Healthy);
    long quietApplied = System.nanoTime();
    DemoRepo.write(other, DemoRepo.manifest("quiet", repo.dir, "v2", quiet));
    awaitPhase(store, "quiet", Phase.RolledBack);
    double withoutHooks = (System.nanoTime() - quietApplied) / 1e9;
    System.out.printf("[figures] v2 applied -> v1 serving again (RolledBack): %.1f s with a dead and a silent"
        + " webhook, %.1f s without webhooks%n", withDeadHooks, withoutHooks);
  }

  private double deliveries(String result) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("backstop_webhook_deliveries_total\\{result=\"" + result + "\"} ([0-9.]+)").matcher(get("/metrics"));
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private List<String> events() {
    return received.stream().map(Received::event).toList();
  }

  private JsonNode body(String event) throws Exception {
    return JSON.readTree(received.stream().filter(r -> r.event().equals(event)).reduce((a, b) -> b).orElseThrow().body());
  }

  private String receiver() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/json/" + urlToken, ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(ex.getRequestHeaders().getFirst("X-Backstop-Event"),
          ex.getRequestHeaders().getFirst("X-Backstop-Signature"), body));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.createContext("/slack/" + urlToken, ex -> {
      slack.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Takes every request and answers none until the test ends. */
  private String silentReceiver() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/silent", ex -> {
      silentEvents.add(ex.getRequestHeaders().getFirst("X-Backstop-Event"));
      try {
        silentRelease.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      silentAnswered.incrementAndGet();
      ex.close();
    });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void startDaemon(Path manifests, Path state) throws Exception {
    apiPort = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort),
        "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(LocalModeIT.freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();
  }

  private StagingReleaseStatus awaitPhase(StatusStore store, String name, Phase phase) throws Exception {
    try {
      return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
          .until(() -> store.read(name).orElse(null), s -> s != null && s.getPhase() == phase);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(name + " not " + phase + "; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  private String get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private record Cli(int exit, String out, String err) {}

  private Cli cli(Path state, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar()));
    command.addAll(List.of(args));
    command.addAll(List.of("--state", state.toString()));
    Path out = tmp.resolve("cli.out");
    Path err = tmp.resolve("cli.err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
