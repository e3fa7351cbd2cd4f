package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * Many one-service releases on one daemon (the built jar) at a 5 s interval: time to all Healthy,
 * the daemon's steady-state CPU share and RSS (from /proc), and /api/v1/releases p99 while all of
 * them roll out a new commit. The stacks use `network_mode: bridge`, the stack's own choice that
 * Compose honours, since one engine's default address pools hold only about 30 project networks.
 * Sizes: {@code -Dbench.scale=50,200}.
 */
@ExtendWith(BenchTable.Extension.class)
class ScaleBenchmark {

  private static final String COMPOSE = """
      services:
        web:
          image: busybox:1.36
          init: true
          stop_grace_period: 1s
          network_mode: bridge
          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
          volumes:
            - ./www:/www:ro
          healthcheck:
            test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
            interval: 30s
            start_period: 60s
            start_interval: 1s
            timeout: 2s
            retries: 2
      """;
  // Docker's default 30 s healthcheck interval, checked every second while a container starts:
  // at 2 s, 200 containers ran 100 healthcheck execs a second, which alone pushed this 2-core
  // engine's load past 300 and the v2 rollout past its 10-minute bound. What is measured is the
  // daemon at Backstop's 5 s interval, not the engine's exec rate.
  private static final Duration STEADY = Duration.ofSeconds(Long.getLong("bench.steadySeconds", 20));
  // After all turn Healthy each release still renders its commit once to judge drift, and the JIT
  // is busy with what the rollout ran: two intervals pass before the steady window opens.
  private static final Duration SETTLE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  private final String prefix = "bssc-" + UUID.randomUUID().toString().substring(0, 6) + "-";
  private final HttpClient http = HttpClient.newHttpClient();
  private Process daemon;

  @AfterEach
  void tearDown() throws Exception {
    stopDaemon();
    removeContainers();
  }

  @Test
  void manyReleasesOnOneDaemon(BenchTable table) throws Exception {
    Path repo = tmp.resolve("repo");
    makeRepo(repo);
    for (String size : System.getProperty("bench.scale", "50,200").split(",")) {
      int n = Integer.parseInt(size.trim());
      measure(table, repo, n);
      stopDaemon();
      removeContainers();
    }
  }

  private void measure(BenchTable table, Path repo, int n) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("n" + n));
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    StatusStore store = new StatusStore(dir.resolve("state"));
    int apiPort = LocalModeIT.freePort();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      DemoRepo.write(manifests.resolve("r" + i + ".yaml"), manifest("r" + i, repo, "v1", n));
    }
    // The daemon as users run it: through the launcher `make install` writes, with its JVM options.
    List<String> command = new ArrayList<>(List.of(launcher().toString(), "run", "--manifests", manifests.toString(),
        "--state", dir.resolve("state").toString(), "--port", String.valueOf(apiPort)));
    // e.g. -Dbench.daemonArgs="--compose-concurrency 0" to compare the daemon's own settings.
    String daemonArgs = System.getProperty("bench.daemonArgs", "").strip();
    if (!daemonArgs.isEmpty()) {
      command.addAll(Arrays.asList(daemonArgs.split("\\s+")));
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("JAVA", LocalModeIT.javaBin());
    // e.g. -Dbench.daemonJvmArgs=-XX:StartFlightRecording=... to profile the daemon.
    pb.environment().put("BACKSTOP_JAVA_OPTS", System.getProperty("bench.daemonJvmArgs", ""));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("backstop.log").toFile()));
    daemon = pb.start();
    awaitAll(store, n, "v1", Duration.ofMinutes(10));
    double healthy = (System.nanoTime() - t0) / 1e9;

    // Steady state: nothing to do but observe and probe; the window is the measurement itself.
    await().pollDelay(SETTLE).atMost(SETTLE.plusSeconds(5)).until(() -> true);
    long pid = daemon.pid();
    // -Dbench.profile=DIR: a JFR recording of the steady window only, DIR/steady-N.jfr.
    String profile = System.getProperty("bench.profile", "");
    if (!profile.isEmpty()) {
      jcmd(pid, "JFR.start", "name=steady", "settings=profile");
    }
    long ticks0 = cpuTicks(pid);
    long w0 = System.nanoTime();
    await().pollDelay(STEADY).atMost(STEADY.plusSeconds(5)).until(() -> true);
    double cpu = (cpuTicks(pid) - ticks0) / 100.0 / ((System.nanoTime() - w0) / 1e9) * 100;
    if (!profile.isEmpty()) {
      jcmd(pid, "JFR.stop", "name=steady", "filename=" + Path.of(profile, "steady-" + n + ".jfr").toAbsolutePath());
    }
    double rss = statusField(pid, "VmRSS:") / 1024.0;
    double threads = statusField(pid, "Threads:");

    // In the table before the rollout, so that a rollout that times out still leaves them.
    String group = "scale " + n;
    double cpuTarget = n <= 50 ? 2 : 5;
    double rssTarget = n <= 50 ? 200 : 300;
    table.add(BenchTable.Row.of(group, n + " releases: start -> all Healthy", List.of(healthy), "s"));
    table.add(BenchTable.Row.of(group, "daemon CPU at steady state (% of one core, " + STEADY.toSeconds() + " s)",
        List.of(cpu), "%").target("< " + (int) cpuTarget + " %", cpu < cpuTarget));
    table.add(BenchTable.Row.of(group, "daemon RSS at steady state", List.of(rss), "MB")
        .target("< " + (int) rssTarget + " MB", rss < rssTarget));
    table.add(BenchTable.Row.of(group, "daemon threads at steady state", List.of(threads), ""));

    // The rollout of a new commit to every release, while a dashboard reads the API.
    List<Double> millis = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();
    URI releases = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/releases");
    // -Dbench.latencies=FILE: each read's start (epoch ms) and latency, to line slow ones up with a
    // GC log or a load sampler.
    String latencies = System.getProperty("bench.latencies", "");
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    reader.scheduleAtFixedRate(() -> {
      long at = System.currentTimeMillis();
      double ms = HeldApplyScenario.timedGet(http, releases);
      millis.add(ms);
      lines.add(at + " " + ms);
    }, 0, 50, TimeUnit.MILLISECONDS);
    long r0 = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        DemoRepo.write(manifests.resolve("r" + i + ".yaml"), manifest("r" + i, repo, "v2", n));
      }
      awaitAll(store, n, "v2", Duration.ofMinutes(10));
    } finally {
      reader.shutdownNow();
    }
    double rollout = (System.nanoTime() - r0) / 1e9;
    if (!latencies.isEmpty()) {
      synchronized (lines) {
        Files.write(Path.of(latencies + "-" + n), lines);
      }
    }
    double p99 = BenchTable.quantile(List.copyOf(millis), 0.99);
    table.add(BenchTable.Row.of(group, n + " releases: new commit -> all Healthy on it", List.of(rollout), "s"));

    table.add(BenchTable.Row.of(group, "/api/v1/releases p99 while all roll out (" + millis.size() + " reads)",
        List.of(p99), "ms").against("median of those reads", BenchTable.median(millis)).target("< 50 ms", p99 < 50));
  }

  /** The `backstop` launcher of scripts/install.sh, installed into this test's directory once. */
  private Path launcher() throws Exception {
    Path bin = tmp.resolve("prefix/bin/backstop");
    if (!Files.exists(bin)) {
      DemoRepo.run(List.of("bash", Path.of("../scripts/install.sh").toAbsolutePath().normalize().toString(),
          Path.of(LocalModeIT.jar()).toAbsolutePath().toString(), tmp.resolve("prefix").toString()), tmp);
    }
    return bin;
  }

  private static void awaitAll(StatusStore store, int n, String ref, Duration bound) {
    await().atMost(bound).pollInterval(Duration.ofMillis(500)).until(() -> {
      for (int i = 0; i < n; i++) {
        StagingReleaseStatus s = store.read("r" + i).orElse(null);
        if (s == null || s.getPhase() != Phase.Healthy || s.getCurrent() == null
            || !ref.equals(s.getCurrent().getRef())) {
          return false;
        }
      }
      return true;
    });
  }

  private static void jcmd(long pid, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid)));
    command.addAll(List.of(args));
    DemoRepo.run(command, Path.of("."));
  }

  /** utime + stime of the process, in clock ticks (100 a second on Linux). */
  private static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** A number from /proc/PID/status, e.g. VmRSS (kB) or Threads. */
  private static long statusField(long pid, String field) throws Exception {
    String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith(field)).findFirst().orElseThrow();
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private String manifest(String name, Path repo, String ref, int n) {
    // The demo manifest at the 5 s interval, with time for a crowded engine to start all.
    return DemoRepo.manifest(name, repo, ref, prefix + n + "-" + name)
        .replace("interval: 1s", "interval: 5s").replace("progressDeadline: 60s", "progressDeadline: 300s");
  }

  private static void makeRepo(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("compose.yaml"), COMPOSE);
    Files.writeString(dir.resolve("www/health"), "ok\n");
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), dir);
    DemoRepo.run(List.of("git", "config", "user.email", "bench@backstop.dev"), dir);
    DemoRepo.run(List.of("git", "config", "user.name", "Backstop bench"), dir);
    for (String v : List.of("v1", "v2")) {
      Files.writeString(dir.resolve("www/version"), v + "\n");
      DemoRepo.run(List.of("git", "add", "-A"), dir);
      DemoRepo.run(List.of("git", "commit", "-qm", v), dir);
      DemoRepo.run(List.of("git", "tag", v), dir);
    }
  }

  private void stopDaemon() throws InterruptedException {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      daemon = null;
    }
  }

  /** Removes this run's containers only (by the compose project prefix), all in one call. */
  private void removeContainers() throws Exception {
    List<String> ids = Arrays.stream(DemoRepo.run(List.of("docker", "ps", "-a", "--format",
            "{{.ID}} {{.Label \"com.docker.compose.project\"}}"), tmp).split("\n"))
        .map(String::strip).filter(l -> l.contains(" " + prefix)).map(l -> l.split(" ")[0]).toList();
    for (int i = 0; i < ids.size(); i += 40) {
      List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
      rm.addAll(ids.subList(i, Math.min(ids.size(), i + 40)));
      DemoRepo.run(rm, tmp);
    }
  }
}
