package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Timestamps;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection latency per runbook trigger: a fault injected into a healthy running app (slow,
 * erroring, killed) -> the automatic rollback started (status.lastRollback.startTime), against
 * the floor interval x consecutiveFailures. Adds rows to the bench table; asserts nothing about timings.
 */
@ExtendWith(BenchTable.Extension.class)
class HealthDetectionBenchmark {

  @TempDir Path tmp;
  private final String project = "bshb-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> daemons = new ArrayList<>();
  private StatusStore store;
  private Path manifest;
  private HealthStack repo;
  private int appPort;

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void detectionLatencyPerTrigger(BenchTable table) throws Exception {
    int rounds = BenchTable.rounds(3);
    List<String[]> refs = new ArrayList<>();
    for (int i = 0; i <= 3 * rounds + 1; i++) {
      refs.add(new String[] {"good" + i, "ok"});
    }
    repo = HealthStack.create(tmp.resolve("repo"), refs);
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    manifest = manifests.resolve("app.yaml");
    store = new StatusStore(tmp.resolve("state"));
    appPort = LocalModeIT.freePort();
    startDaemon(manifests);
    deploy("good0");

    String[][] triggers = {
      {"response_time > 500ms x3", "slow", "3"},
      {"error_rate > 5% x2", "error", "2"},
      {"service_health < 100% x1 (container killed)", "kill", "1"},
    };
    int next = 1;
    for (String[] t : triggers) {
      List<Double> seconds = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        deploy("good" + next++);
        seconds.add(inject(t[1]));
      }
      double floor = 1.0 * Integer.parseInt(t[2]);
      double median = BenchTable.median(seconds);
      table.add(BenchTable.Row.of("detection", t[0] + ": fault -> rollback started", seconds, "s")
          .against("floor: 1s interval x " + t[2], floor)
          .target("<= floor + 0.3 s", median <= floor + 0.3));
    }
  }

  private double inject(String fault) throws Exception {
    String before = lastRollbackStart();
    String web = DemoRepo.run(List.of("docker", "compose", "-p", project, "ps", "-q", "web"), tmp).trim();
    Instant injected;
    if (fault.equals("kill")) {
      injected = Instant.now();
      DemoRepo.run(List.of("docker", "kill", web), tmp);
    } else {
      DemoRepo.run(List.of("docker", "exec", web, "sh", "-c", "echo " + fault + " > /tmp/mode.new"), tmp);
      injected = Instant.now();
      DemoRepo.run(List.of("docker", "exec", web, "mv", "/tmp/mode.new", "/tmp/mode"), tmp);
    }
    awaitOrExplain(fault + " rollback started", () -> {
      String now = lastRollbackStart();
      return now != null && !now.equals(before);
    });
    Instant started = Timestamps.parse(lastRollbackStart());
    awaitOrExplain(fault + " rolled back",
        () -> store.read("app").map(s -> s.getPhase() == Phase.RolledBack).orElse(false));
    return Duration.between(injected, started).toMillis() / 1000.0;
  }

  private void awaitOrExplain(String what, java.util.concurrent.Callable<Boolean> done) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(done);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not reached; status:\n"
          + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(store.read("app").orElse(null))
          + "\nlog:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  private String lastRollbackStart() {
    StagingReleaseStatus s = store.read("app").orElse(null);
    return s == null || s.getLastRollback() == null ? null : s.getLastRollback().getStartTime();
  }

  private void deploy(String ref) throws Exception {
    DemoRepo.write(manifest, HealthStack.manifest("app", repo.dir, ref, project, appPort));
    awaitOrExplain(ref + " healthy", () -> store.read("app")
        .map(s -> s.getPhase() == Phase.Healthy && ref.equals(s.getCurrent().getRef())).orElse(false));
  }

  private void startDaemon(Path manifests) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", tmp.resolve("state").toString(), "--port", String.valueOf(LocalModeIT.freePort()),
        "--stack-env", "APP_PORT");
    pb.environment().put("APP_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemons.add(pb.start());
  }
}
