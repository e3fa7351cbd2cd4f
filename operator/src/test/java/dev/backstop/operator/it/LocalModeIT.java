package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.local.StatusStore;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end: the built jar in local mode, a real git repository, the real
 * Compose CLI and Docker engine. Asserts on the containers that actually run, not only on status.
 */
class LocalModeIT {

  @TempDir Path tmp;
  private final String project = "bsit-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> daemons = new ArrayList<>();
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private final HttpClient http = HttpClient.newHttpClient();
  private int appPort;

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    DemoRepo.run(List.of("docker", "compose", "-p", project + "-baseline", "down", "-t", "1"), tmp);
    dockerHosts.close();
  }

  @Test
  void rollsForwardBackByItselfRefusesTheBrokenCommitAndRollsForwardAgain() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    String v2 = repo.commit("v2");
    String v3 = repo.commit("v3");
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    Path manifest = manifests.resolve("demo.yaml");
    StatusStore store = new StatusStore(state);
    appPort = freePort();

    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v1", project));
    Process daemon = startDaemon(manifests, state);

    awaitPhase(store, Phase.Healthy, Duration.ofSeconds(120));
    assertRunning(v1, "v1");

    long applied = System.nanoTime();
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v2", project));
    awaitPhase(store, Phase.RolledBack, Duration.ofSeconds(120));
    double rollbackSeconds = (System.nanoTime() - applied) / 1e9;
    assertRunning(v1, "v1");
    StagingReleaseStatus rolledBack = store.read("demo").orElseThrow();
    assertThat(rolledBack.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(rolledBack.getQuarantined()).singleElement().satisfies(q -> {
      assertThat(q.getCommit()).isEqualTo(v2);
      assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed);
      assertThat(q.getMessage()).contains("web is unhealthy");
    });
    assertThat(rolledBack.getLastRollback().getServicesAffected()).containsExactly("web");

    // Several reconciles at the 1 s interval: a loop would deploy v2 again.
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
        .until(() -> deploysOf(store, v2) == 1 && store.read("demo").orElseThrow().getPhase() == Phase.RolledBack);
    assertRunning(v1, "v1");

    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v3", project));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
      StagingReleaseStatus s = store.read("demo").orElseThrow();
      return s.getPhase() == Phase.Healthy && v3.equals(s.getCurrent().getCommit());
    });
    assertRunning(v3, "v3");
    assertThat(store.read("demo").orElseThrow().getHistory())
        .extracting(h -> h.getAction() + " " + h.getTo().getRef() + " " + h.getResult())
        .containsExactly("Deploy v3 Succeeded", "Rollback v1 Succeeded", "Deploy v2 Failed", "Deploy v1 Succeeded");

    // What scripts and Prometheus read: the release over HTTP and its meters.
    String api = get("/api/v1/releases/demo");
    assertThat(api).contains("\"phase\" : \"Healthy\"", v3);
    String metrics = get("/metrics");
    assertThat(metrics).contains("backstop_release_ready{namespace=\"default\",release=\"demo\"} 1.0");
    assertThat(metrics).containsPattern("backstop_events_total\\{namespace=\"default\",reason=\"RollbackSucceeded\",release=\"demo\",type=\"Normal\"} 1.0");

    double baseline = baselineComposeUp(repo);
    System.out.printf("[figures] v2 applied -> serving v1 healthy again: %.1f s; bare compose up -d --wait of v1: %.1f s%n",
        rollbackSeconds, baseline);

    // Ctrl-C stops it cleanly; a restart picks up from the saved status without redeploying.
    daemon.destroy();
    assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String containerBefore = webContainer().id();
    int historyBefore = store.read("demo").orElseThrow().getHistory().size();
    startDaemon(manifests, state);
    await().atMost(Duration.ofSeconds(30)).until(() -> httpOk("/healthz"));
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
        .until(() -> store.read("demo").orElseThrow().getHistory().size() == historyBefore);
    assertThat(webContainer().id()).isEqualTo(containerBefore);
    assertThat(store.read("demo").orElseThrow().getPhase()).isEqualTo(Phase.Healthy);
  }

  private Process startDaemon(Path manifests, Path state) throws Exception {
    int apiPort = freePort();
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", jar(), "run", "--manifests", manifests.toString(),
        "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    Process p = pb.start();
    daemons.add(p);
    this.apiPort = apiPort;
    return p;
  }

  private int apiPort;

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private boolean httpOk(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private void awaitPhase(StatusStore store, Phase phase, Duration bound) throws Exception {
    try {
      await().atMost(bound).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("demo").map(s -> s.getPhase() == phase).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("phase " + phase + " not reached; log:\n"
          + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  private void assertRunning(String commit, String version) throws Exception {
    DemoRepo.assertRunning(docker, project, appPort, commit, version);
  }

  private ContainerState webContainer() throws Exception {
    return DemoRepo.webContainer(docker, project);
  }

  private static long deploysOf(StatusStore store, String commit) {
    return store.read("demo").orElseThrow().getHistory().stream()
        .filter(h -> h.getAction() == ActionKind.Deploy && commit.equals(h.getTo().getCommit()))
        .count();
  }

  private double baselineComposeUp(DemoRepo repo) throws Exception {
    Path tree = tmp.resolve("baseline");
    DemoRepo.run(List.of("git", "worktree", "add", "-q", tree.toString(), "v1"), repo.dir);
    ProcessBuilder pb = new ProcessBuilder("docker", "compose", "-p", project + "-baseline", "--project-directory",
        tree.toString(), "up", "-d", "--wait").redirectErrorStream(true);
    pb.environment().put("DEMO_PORT", String.valueOf(freePort()));
    long start = System.nanoTime();
    Process p = pb.start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return (System.nanoTime() - start) / 1e9;
  }

  static String jar() {
    String jar = System.getProperty("backstop.jar", "target/backstop.jar");
    assertThat(new File(jar)).as("the packaged jar (failsafe runs after package)").exists();
    return jar;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
