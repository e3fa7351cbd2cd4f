package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.ApiToken;
import dev.backstop.operator.local.StatusStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic rollback cycle (a broken commit applied -> the good one serving again) of the
 * built jar in local mode, beside the raw Compose floor (`up -d --wait` of the broken version
 * until it fails, then of the good one) and Docker Swarm's own automatic rollback of the same
 * image and healthcheck; failed requests at 20 rps during a deploy and during a rollback, each
 * beside one plain recreate; and an emergency rollback request -> the old stack serving. One busybox
 * service, healthcheck every 1 s with 2 retries. Adds rows to the bench table.
 */
@ExtendWith(BenchTable.Extension.class)
class RollbackCycleBenchmark {

  private static final String IMAGE = "busybox:1.36";
  private static final String HEALTH = "wget -q -O /dev/null http://127.0.0.1:8080/health";

  @TempDir Path tmp;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String project = "bsrc-" + id;
  private final String floorProject = "bsrcf-" + id;
  private final String swarmService = "bsrcs-" + id;
  private final HttpClient http = HttpClient.newHttpClient();
  private Process daemon;
  private Path repo;
  private StatusStore store;
  private Path manifest;
  private int apiPort;
  private int appPort;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      // Where each apply's time went (prepare, down, up) is in the daemon's log; the temp dir goes.
      Files.copy(tmp.resolve("backstop.log"), Path.of("target/rollback-cycle-backstop.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    run(tmp, "docker", "compose", "-p", project, "down", "-t", "1");
    run(tmp, "docker", "compose", "-p", floorProject, "down", "-t", "1");
  }

  @Test
  void rollbackCycleAgainstComposeFloorAndSwarm(BenchTable table) throws Exception {
    int rounds = BenchTable.rounds(3);
    repo = tmp.resolve("repo");
    makeRepo(repo, rounds);
    if ("emergency".equals(System.getProperty("bench.only"))) {
      // -Dbench.only=emergency: the emergency row alone, from the last good commit as the full run has it.
      startDaemon();
      deploy("good" + (rounds - 1), Phase.Healthy);
      addEmergencyRows(table, emergency(rounds), emergencyFloor(rounds));
      return;
    }
    List<Double> floor = composeFloor(rounds);
    List<Double> backstop = new ArrayList<>();
    startDaemon();
    for (int r = 0; r < rounds; r++) {
      deploy("good" + r, Phase.Healthy);
      long t0 = System.nanoTime();
      DemoRepo.write(manifest, manifest("bad" + r));
      awaitServing("good" + r, () -> phase() == Phase.RolledBack);
      backstop.add((System.nanoTime() - t0) / 1e9);
    }
    Emergency emergency = emergency(rounds);
    // Failed requests at 20 rps during a deploy (a new good version) and during a rollback (from
    // the rollback's start to the good version serving), each beside one plain `docker compose up
    // -d` recreate. The broken version's own deploy, between the two, is neither: plain Compose
    // never rolls back, so it has no such recreate to compare it with.
    List<Double> deployFailed = new ArrayList<>();
    List<Double> rollbackFailed = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Load load = new Load(appPort);
      java.time.Instant deployStart = java.time.Instant.now();
      java.time.Instant deployed;
      java.time.Instant served;
      try {
        deploy("load" + r, Phase.Healthy);
        deployed = java.time.Instant.now();
        String before = lastRollbackStart();
        DemoRepo.write(manifest, manifest("loadbad" + r));
        awaitServing("load" + r, () -> phase() == Phase.RolledBack && !java.util.Objects.equals(before, lastRollbackStart()));
        served = java.time.Instant.now();
      } finally {
        // Counted once every request sent has ended: one held up to its timeout fails late.
        load.close();
      }
      deployFailed.add((double) load.failedBetween(deployStart, deployed));
      rollbackFailed.add((double) load.failedBetween(
          dev.backstop.operator.core.Timestamps.parse(lastRollbackStart()), served));
    }
    List<List<Double>> plain = plainRecreates(rounds);
    List<Double> swarm = swarm(rounds);

    double f = BenchTable.median(floor);
    double b = BenchTable.median(backstop);
    String cycle = "automatic rollback cycle: bad applied -> good serving";
    table.add(BenchTable.Row.of("rollback", cycle, backstop, "s").against("raw compose floor", f)
        .target("<= 1.05x the floor", b <= 1.05 * f));
    if (!swarm.isEmpty()) {
      double s = BenchTable.median(swarm);
      table.add(BenchTable.Row.of("rollback", cycle, backstop, "s").against("docker swarm rollback", s)
          .target(">= 2x faster than swarm", 2 * b <= s));
    }
    table.add(BenchTable.Row.of("rollback", "failed requests at 20 rps during a deploy", deployFailed, "req")
        .against("plain compose up -d recreate", BenchTable.median(plain.get(0))));
    table.add(BenchTable.Row.of("rollback", "failed requests at 20 rps during a rollback", rollbackFailed, "req")
        .against("plain compose up -d recreate", BenchTable.median(plain.get(1)))
        .target("<= the plain recreate's", BenchTable.median(rollbackFailed) <= BenchTable.median(plain.get(1))));
    addEmergencyRows(table, emergency, emergencyFloor(rounds));
  }

  /** Per round, seconds from the request until the old stack served, and until its `up` had returned. */
  private record Emergency(List<Double> served, List<Double> applied) {}

  /**
   * Per round, from a healthy next version back to the one before it (the last good one, which
   * serves when this starts), with no verification gate.
   */
  private Emergency emergency(int rounds) throws Exception {
    Emergency e = new Emergency(new ArrayList<>(), new ArrayList<>());
    for (int r = 0; r < rounds; r++) {
      deploy("next" + r, Phase.Healthy);
      String at = java.time.Instant.now().toString();
      double[] seconds = untilServed("good" + (rounds - 1));
      e.served().add(seconds[0]);
      e.applied().add(seconds[1]);
      // The time of the request, to find its apply line in the daemon's log.
      System.out.printf("[bench] emergency round %d: requested at %s, up returned after %.2f s, old stack serving"
          + " after %.2f s%n", r, at, seconds[1], seconds[0]);
      // Back to a known-good state (the emergency quarantined next-r, each round has its own).
      deploy("good" + (rounds - 1), null);
    }
    return e;
  }

  /**
   * Posts an emergency rollback and returns the seconds until a request sent after it is answered
   * with {@code version}, and until the status says the rollback was applied (its `up` returned):
   * one request every 20 ms, each on its own, so that one the port's proxy holds (until its 1 s
   * timeout) does not hide the ones after it. On Docker 26 every request that reaches the proxy
   * while the new container's interface is still down waits until the host's ARP retry, ~1 s after
   * the first: that wait, not Backstop, is most of the gap between the two figures.
   */
  private double[] untilServed(String version) throws Exception {
    java.util.concurrent.CompletableFuture<Long> answered = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<Long> applied = new java.util.concurrent.CompletableFuture<>();
    String before = appliedTime();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    try {
      long t0 = System.nanoTime();
      post("emergency-rollback");
      probe(timer, appPort, version, answered);
      timer.scheduleAtFixedRate(() -> {
        String now = appliedTime();
        // The new rollback's report has no applied time until its `up` returned.
        if (now != null && !now.equals(before)) {
          applied.complete(System.nanoTime());
        }
      }, 0, 20, TimeUnit.MILLISECONDS);
      try {
        return new double[] {(answered.get(120, TimeUnit.SECONDS) - t0) / 1e9,
            (applied.get(120, TimeUnit.SECONDS) - t0) / 1e9};
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(version + " not serving; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
      }
    } finally {
      timer.shutdownNow();
    }
  }

  /**
   * From {@code timer}, one GET /version every 20 ms, each on its own: completes {@code answered}
   * with the time of the first that {@code version} answers. A request that fails (nothing
   * listening yet) completes exceptionally and is not counted.
   */
  private void probe(ScheduledExecutorService timer, int port, String version,
      java.util.concurrent.CompletableFuture<Long> answered) {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/version"))
        .timeout(Duration.ofSeconds(1)).build();
    timer.scheduleAtFixedRate(() -> http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
      if (r.statusCode() == 200 && version.equals(r.body().trim())) {
        answered.complete(System.nanoTime());
      }
    }), 0, 20, TimeUnit.MILLISECONDS);
  }

  /**
   * The emergency's floor: by hand, `down --remove-orphans` of a running next version, then `up -d`
   * of the good checkout, under the same requests; seconds from the `down` to the good one serving.
   */
  private List<Double> emergencyFloor(int rounds) throws Exception {
    Path good = checkout("good0");
    Path next = checkout("next0");
    int port = LocalModeIT.freePort();
    String version = Files.readString(good.resolve("www/version")).trim();
    List<Double> seconds = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      compose(next, String.valueOf(port), true);
      ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
      java.util.concurrent.CompletableFuture<Long> answered = new java.util.concurrent.CompletableFuture<>();
      try {
        long t0 = System.nanoTime();
        run(next, "docker", "compose", "-p", floorProject, "down", "--remove-orphans");
        probe(timer, port, version, answered);
        compose(good, String.valueOf(port), true, false);
        seconds.add((answered.get(120, TimeUnit.SECONDS) - t0) / 1e9);
      } finally {
        timer.shutdownNow();
      }
    }
    run(tmp, "docker", "compose", "-p", floorProject, "down", "-t", "1");
    return seconds;
  }

  /** When the last rollback started, or null. */
  private String lastRollbackStart() {
    return store.read("app").map(StagingReleaseStatus::getLastRollback)
        .map(dev.backstop.operator.api.v1alpha1.RollbackReport::getStartTime).orElse(null);
  }

  /** When the last rollback was applied, or null. */
  private String appliedTime() {
    return store.read("app").map(StagingReleaseStatus::getLastRollback)
        .map(dev.backstop.operator.api.v1alpha1.RollbackReport::getAppliedTime).orElse(null);
  }

  private static void addEmergencyRows(BenchTable table, Emergency e, List<Double> floor) {
    table.add(BenchTable.Row.of("rollback", "emergency rollback request -> old stack's up returned", e.applied(), "s"));
    double served = BenchTable.median(e.served());
    table.add(BenchTable.Row.of("rollback", "emergency rollback request -> old stack serving", e.served(), "s")
        .against("by hand: down --remove-orphans, up -d", BenchTable.median(floor))
        .target("< 1.5 s", served < 1.5));
  }

  /** `up -d --wait` of the broken version until it fails, then of the good one, by hand. */
  private List<Double> composeFloor(int rounds) throws Exception {
    Path good = checkout("good0");
    Path bad = checkout("bad0");
    String port = String.valueOf(LocalModeIT.freePort());
    List<Double> seconds = new ArrayList<>();
    compose(good, port, true);
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      compose(bad, port, false);
      compose(good, port, true);
      seconds.add((System.nanoTime() - t0) / 1e9);
    }
    run(tmp, "docker", "compose", "-p", floorProject, "down", "-t", "1");
    return seconds;
  }

  /**
   * Plain `up -d` to a new version and back, each until the version serves, under the same load:
   * per round the failed requests of the first recreate, then of the second.
   */
  private List<List<Double>> plainRecreates(int rounds) throws Exception {
    Path good = checkout("good0");
    Path next = checkout("load0");
    int port = LocalModeIT.freePort();
    List<List<Double>> failed = List.of(new ArrayList<>(), new ArrayList<>());
    compose(good, String.valueOf(port), true);
    for (int r = 0; r < rounds; r++) {
      Load load = new Load(port);
      List<Path> dirs = List.of(next, good);
      List<java.time.Instant> marks = new ArrayList<>();
      try {
        for (Path dir : dirs) {
          marks.add(java.time.Instant.now());
          compose(dir, String.valueOf(port), true, false);
          String version = Files.readString(dir.resolve("www/version")).trim();
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
              .until(() -> version.equals(served(port)));
          marks.add(java.time.Instant.now());
        }
      } finally {
        load.close();
      }
      for (int i = 0; i < dirs.size(); i++) {
        failed.get(i).add((double) load.failedBetween(marks.get(2 * i), marks.get(2 * i + 1)));
      }
    }
    run(tmp, "docker", "compose", "-p", floorProject, "down", "-t", "1");
    return failed;
  }

  /** GET /version 20 times a second until closed, keeping when each request that was not a 200 was sent. */
  private final class Load implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
    private final java.util.Queue<java.time.Instant> failed = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Load(int port) {
      timer.scheduleAtFixedRate(() -> timer.execute(() -> {
        java.time.Instant sent = java.time.Instant.now();
        if (served(port) == null) {
          failed.add(sent);
        }
      }), 0, 50, TimeUnit.MILLISECONDS);
    }

    /** Failed requests sent in [from, to]; ask after {@link #close}, when all have ended. */
    long failedBetween(java.time.Instant from, java.time.Instant to) {
      return failed.stream().filter(t -> !t.isBefore(from) && !t.isAfter(to)).count();
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void compose(Path dir, String port, boolean mustSucceed) throws Exception {
    compose(dir, port, mustSucceed, true);
  }

  private void compose(Path dir, String port, boolean mustSucceed, boolean await) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker", "compose", "-p", floorProject, "--project-directory",
        dir.toString(), "up", "-d"));
    if (await) {
      command.add("--wait");
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("DEMO_PORT", port);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || (mustSucceed && p.exitValue() != 0)) {
      throw new IOException("compose up of " + dir + " failed: " + out);
    }
  }

  /**
   * Swarm's automatic rollback of the same update: the same image and healthcheck as a service
   * with --init, 1 s stop grace and an update monitor just long enough for the healthcheck to fail.
   * Skipped (no rows) when the engine is in a swarm already: that one is not ours to leave.
   */
  private List<Double> swarm(int rounds) throws Exception {
    if (!run(tmp, "docker", "info", "-f", "{{.Swarm.LocalNodeState}}").trim().equals("inactive")) {
      System.out.println("[bench] the engine is in a swarm already: no swarm figures");
      return List.of();
    }
    Path good = checkout("good0").resolve("www");
    Path bad = checkout("bad0").resolve("www");
    List<Double> seconds = new ArrayList<>();
    // `swarm init` creates this bridge and `swarm leave` keeps it: removed after, unless it was here.
    boolean hadGatewayBridge = run(tmp, "docker", "network", "ls", "-q", "-f", "name=^docker_gwbridge$").strip()
        .length() > 0;
    run(tmp, "docker", "swarm", "init", "--advertise-addr", "127.0.0.1");
    try {
      run(tmp, "docker", "service", "create", "--detach", "--no-resolve-image", "--name", swarmService, "--init",
          "--stop-grace-period", "1s", "--health-cmd", HEALTH, "--health-interval", "1s", "--health-retries", "2",
          "--health-timeout", "2s", "--update-failure-action", "rollback", "--update-monitor", "3s",
          "--rollback-monitor", "3s", "--mount", "type=bind,src=" + good + ",dst=/www,ro", IMAGE,
          "httpd", "-f", "-p", "8080", "-h", "/www");
      awaitSwarmHealthy();
      for (int r = 0; r < rounds; r++) {
        String before = updateStatus();
        long t0 = System.nanoTime();
        run(tmp, "docker", "service", "update", "--detach", "--no-resolve-image", "--mount-rm", "/www",
            "--mount-add", "type=bind,src=" + bad + ",dst=/www,ro", swarmService);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
          String now = updateStatus();
          return !now.equals(before) && now.startsWith("rollback_completed");
        });
        awaitSwarmHealthy();
        seconds.add((System.nanoTime() - t0) / 1e9);
      }
    } finally {
      try {
        run(tmp, "docker", "service", "rm", swarmService);
      } finally {
        run(tmp, "docker", "swarm", "leave", "--force");
        if (!hadGatewayBridge) {
          // The ingress sandbox lets go of it a moment after the leave.
          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
              .ignoreExceptionsInstanceOf(IOException.class)
              .until(() -> run(tmp, "docker", "network", "rm", "docker_gwbridge") != null);
        }
      }
    }
    return seconds;
  }

  private String updateStatus() throws IOException, InterruptedException {
    return run(tmp, "docker", "service", "inspect", "-f", "{{if .UpdateStatus}}{{.UpdateStatus.State}} "
        + "{{.UpdateStatus.StartedAt}}{{end}}", swarmService).trim();
  }

  private void awaitSwarmHealthy() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> run(tmp, "docker", "ps",
        "--filter", "label=com.docker.swarm.service.name=" + swarmService, "--format", "{{.Status}}")
        .lines().filter(l -> l.contains("(healthy)")).count() == 1);
  }

  /** Tags goodN, nextN, loadN (healthy) and badN, loadbadN (/health is gone) per round: one commit each. */
  private static void makeRepo(Path dir, int rounds) throws Exception {
    Files.createDirectories(dir.resolve("www"));
    Files.copy(Path.of("../examples/demo-stack/compose.yaml"), dir.resolve("compose.yaml"));
    run(dir, "git", "init", "-q", "-b", "main");
    run(dir, "git", "config", "user.email", "bench@backstop.dev");
    run(dir, "git", "config", "user.name", "Backstop bench");
    for (String kind : List.of("good", "bad", "next", "load", "loadbad")) {
      for (int r = 0; r < rounds; r++) {
        String tag = kind + r;
        Files.writeString(dir.resolve("www/version"), tag + "\n");
        Path health = dir.resolve("www/health");
        if (kind.endsWith("bad")) {
          Files.deleteIfExists(health);
        } else {
          Files.writeString(health, "ok\n");
        }
        run(dir, "git", "add", "-A");
        run(dir, "git", "commit", "-qm", tag);
        run(dir, "git", "tag", tag);
      }
    }
  }

  private Path checkout(String tag) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("checkout-" + tag));
    if (!Files.exists(dir.resolve("compose.yaml"))) {
      run(tmp, "sh", "-c", "git -C " + repo + " archive " + tag + " | tar -x -C " + dir);
    }
    return dir;
  }

  private void startDaemon() throws Exception {
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    manifest = manifests.resolve("app.yaml");
    Path state = tmp.resolve("state");
    store = new StatusStore(state);
    apiPort = LocalModeIT.freePort();
    appPort = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env",
        "DEMO_PORT");
    if (Boolean.getBoolean("bench.daemonDebug")) {
      // Each compose and docker command the daemon runs, with its start time, in the log.
      pb.command().add(1, "-Dorg.slf4j.simpleLogger.log.dev.backstop.operator.compose=debug");
    }
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();
  }

  private String manifest(String ref) {
    return DemoRepo.manifest("app", repo, ref, project);
  }

  /** Applies {@code ref} and waits until it serves (and, unless null, the release is in {@code phase}). */
  private void deploy(String ref, Phase phase) throws Exception {
    DemoRepo.write(manifest, manifest(ref));
    awaitServing(ref, () -> phase == null || phase() == phase);
  }

  private void awaitServing(String version, java.util.concurrent.Callable<Boolean> also) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
          .until(() -> version.equals(served()) && also.call());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(version + " not serving; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  private Phase phase() {
    return store.read("app").map(StagingReleaseStatus::getPhase).orElse(null);
  }

  private String served() {
    return served(appPort);
  }

  /** The version the app on {@code port} serves, or null when it does not answer 200 within 1 s. */
  private String served(int port) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/version"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().trim() : null;
    } catch (IOException e) {
      // Nothing listening between two containers: not serving yet.
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void post(String action) throws Exception {
    String token = Files.readString(tmp.resolve("state").resolve(ApiToken.FILE)).trim();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + apiPort + "/api/v1/releases/app/" + action))
        .header("X-Backstop-Token", token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new AssertionError(action + ": " + r.statusCode() + " " + r.body());
    }
  }

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    return DemoRepo.run(List.of(command), dir);
  }
}
