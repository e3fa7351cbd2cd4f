package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One local daemon (the built jar) with a release whose `docker compose up` is held for a minute
 * (its app waits for a database that turns healthy after 60 s), while the control plane is used:
 * the API is read in a loop, a new manifest is dropped in, and a second release deploys a broken
 * commit and rolls back. Shared by the IT (behaviour) and the benchmark (figures).
 */
final class HeldApplyScenario implements AutoCloseable {

  /** How long the slow release's compose up is held. */
  static final int HOLD_SECONDS = 60;

  /** What the run measured. */
  record Figures(List<Double> idleMillis, List<Double> heldMillis, double rollbackSeconds, boolean slowStillApplying) {
    double p(List<Double> sample, double q) {
      List<Double> sorted = new ArrayList<>(sample);
      Collections.sort(sorted);
      return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
  }

  private final Path tmp;
  private final String prefix = "bshold-" + UUID.randomUUID().toString().substring(0, 6);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process daemon;
  private int apiPort;

  HeldApplyScenario(Path tmp) {
    this.tmp = tmp;
  }

  Figures run() throws Exception {
    DemoRepo demo = DemoRepo.create(tmp.resolve("demo-repo"));
    Path slowRepo = slowRepo(tmp.resolve("slow-repo"));
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    StatusStore store = new StatusStore(state);
    DemoRepo.write(manifests.resolve("demo.yaml"), DemoRepo.manifest("demo", demo.dir, "v1", prefix + "-demo"));
    start(manifests, state);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .until(() -> phase(store, "demo") == Phase.Healthy);
    List<Double> idle = sampleApi(Duration.ofSeconds(3));

    DemoRepo.write(manifests.resolve("slow.yaml"), slowManifest(slowRepo));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> applying(store.read("slow").orElse(null)));

    // While the slow apply is held: a new release appears, the demo rolls forward and back.
    List<Double> held = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> held.addAll(sampleApi(Duration.ofSeconds(HOLD_SECONDS - 15))), "api-reader");
    reader.start();
    DemoRepo.write(manifests.resolve("late.yaml"), DemoRepo.manifest("late", demo.dir, "no-such-ref", prefix + "-late"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> get("/api/v1/releases").contains("\"late\""));
    long v2 = System.nanoTime();
    DemoRepo.write(manifests.resolve("demo.yaml"), DemoRepo.manifest("demo", demo.dir, "v2", prefix + "-demo"));
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
        .until(() -> phase(store, "demo") == Phase.RolledBack);
    double rollbackSeconds = (System.nanoTime() - v2) / 1e9;
    boolean stillApplying = applying(store.read("slow").orElse(null));
    reader.join(TimeUnit.SECONDS.toMillis(HOLD_SECONDS + 30));

    await().atMost(Duration.ofSeconds(HOLD_SECONDS + 90)).pollInterval(Duration.ofMillis(500))
        .until(() -> phase(store, "slow") == Phase.Healthy);
    return new Figures(idle, List.copyOf(held), rollbackSeconds, stillApplying);
  }

  private static boolean applying(StagingReleaseStatus s) {
    return s != null && s.getOperation() != null && s.getOperation().getStage() == OperationStage.Applying;
  }

  private static Phase phase(StatusStore store, String name) {
    return store.read(name).map(StagingReleaseStatus::getPhase).orElse(null);
  }

  /**
   * Reads /api/v1/releases 50 times a second (as a dashboard and some scripts would) for {@code
   * during}; each answer's latency in ms. A read that takes longer delays the next, never doubles it.
   */
  private List<Double> sampleApi(Duration during) {
    List<Double> millis = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.ScheduledExecutorService reader =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.ScheduledFuture<?> reads = reader.scheduleAtFixedRate(
        () -> millis.add(timedGet(http, api("/api/v1/releases"))), 0, 20, TimeUnit.MILLISECONDS);
    try {
      reads.get(during.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the reads stopped by themselves");
    } catch (java.util.concurrent.TimeoutException e) {
      // The sampling window is over.
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("/api/v1/releases failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reader.shutdownNow();
    }
    synchronized (millis) {
      return List.copyOf(millis);
    }
  }

  /**
   * One GET's latency in ms (it must answer 200); a read that times out counts as the bound itself
   * (a frozen plane).
   */
  static double timedGet(HttpClient http, URI uri) {
    long t = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return (System.nanoTime() - t) / 1e6;
    } catch (java.net.http.HttpTimeoutException e) {
      return 5000.0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(api(path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private URI api(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + path);
  }

  private void start(Path manifests, Path state) throws Exception {
    apiPort = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(LocalModeIT.freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();
  }

  private Path slowRepo(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("compose.yaml"), """
        # db turns healthy after %d s; app depends on it, so `compose up` blocks until then.
        services:
          db:
            image: busybox:1.36
            init: true
            stop_grace_period: 1s
            command: ["sh", "-c", "sleep %d; touch /ready; exec sleep 3600"]
            healthcheck:
              test: ["CMD", "test", "-f", "/ready"]
              interval: 1s
              timeout: 1s
              retries: 600
          app:
            image: busybox:1.36
            init: true
            stop_grace_period: 1s
            command: ["sleep", "3600"]
            depends_on:
              db:
                condition: service_healthy
        """.formatted(HOLD_SECONDS, HOLD_SECONDS));
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), dir);
    DemoRepo.run(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "add", "-A"), dir);
    DemoRepo.run(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "commit", "-qm", "slow"), dir);
    return dir;
  }

  private String slowManifest(Path repo) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: slow
        spec:
          source:
            url: file://%s
            ref: main
          compose:
            projectName: %s-slow
          health:
            interval: 1s
            progressDeadline: 5m
        """.formatted(repo, prefix);
  }

  @Override
  public void close() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (String p : List.of("demo", "slow", "late")) {
      DemoRepo.run(List.of("docker", "compose", "-p", prefix + "-" + p, "down", "-t", "1"), tmp);
    }
  }

  Path log() {
    return tmp.resolve("backstop.log");
  }
}
