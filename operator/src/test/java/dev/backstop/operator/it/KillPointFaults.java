package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ServiceView;
import dev.backstop.operator.engine.FaultPoints;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash anywhere, converge: the built jar in local mode runs a PostgreSQL + app stack with a backup
 * before every deploy and a restore on rollback. For each step of a failing deploy and of the
 * rollback with restore that follows, a separate Backstop process is SIGKILLed exactly there
 * ({@link FaultPoints} pauses it at the step), a new one is started on the same state, and the end
 * state is checked on the real containers, files and database. Each round deploys a new broken
 * commit, so the rounds share one database container.
 */
class KillPointFaults {

  /** A kill point, and whether a person has to decide afterwards (a restore cut off is not rerun). */
  private record KillPoint(String step, boolean restoreCutOff, String interruption) {}

  private static final List<KillPoint> POINTS = List.of(
      new KillPoint("resolve", false, null),
      new KillPoint("backup-started", false, "interrupted while backing up; resumed"),
      new KillPoint("backup-written", false, "interrupted while backing up; resumed"),
      new KillPoint("applying", false, "interrupted while applying; resumed"),
      new KillPoint("verifying", false, null),
      new KillPoint("recording", false, "interrupted while applying; resumed"),
      new KillPoint("rolling-back", false, "interrupted while applying; resumed"),
      new KillPoint("rollback-verifying", false, null),
      new KillPoint("rollback-recording", false, "interrupted while applying; resumed"),
      new KillPoint("restoring", true, "interrupted while restoring; not restored again"),
      new KillPoint("restore-verified", true, "interrupted while restoring; not restored again"));

  private static final String IMAGE = PgStack.IMAGE;
  private static final String V1_ROWS = "1|apple\n2|pear\n3|plum";

  @TempDir Path tmp;
  private final String project = "bsft-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private final List<Process> daemons = new ArrayList<>();
  private Path repo;
  private Path manifests;
  private Path state;
  private StatusStore store;
  private int run;

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1", "-v"), tmp);
    dockerHosts.close();
  }

  @Test
  void everyKillPointConvergesToLastKnownGoodWithItsDataAndNothingTwice() throws Exception {
    repo = tmp.resolve("repo");
    manifests = Files.createDirectories(tmp.resolve("manifests"));
    state = tmp.resolve("state");
    store = new StatusStore(state);
    makeRepo();
    String v1 = rev("v1");

    writeManifest("v1");
    Process first = start(null);
    awaitStatus("v1 healthy", Duration.ofSeconds(180),
        s -> s.getPhase() == Phase.Healthy && v1.equals(s.getCurrent().getCommit()));
    kill(first);
    assertThat(sql("SELECT id, name FROM items ORDER BY id")).isEqualTo(V1_ROWS);

    List<String> lines = new ArrayList<>();
    int survived = 0;
    // -Dfaults.only=step[,step] tries only those (to chase one failure); all of them by default.
    List<String> only = List.of(System.getProperty("faults.only", "").split(",")).stream()
        .filter(x -> !x.isBlank()).toList();
    int tried = 0;
    for (int k = 0; k < POINTS.size(); k++) {
      KillPoint point = POINTS.get(k);
      if (!only.isEmpty() && !only.contains(point.step())) {
        continue;
      }
      tried++;
      long started = System.nanoTime();
      String verdict;
      try {
        round(point, "b" + k, v1);
        survived++;
        verdict = "survived";
      } catch (AssertionError | Exception e) {
        verdict = "FAILED: " + e.getMessage().lines().findFirst().orElse("");
        System.out.println("[faults] " + point.step() + " failure detail:\n" + e.getMessage());
      } finally {
        for (Process p : daemons) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      String line = String.format("[faults] kill at %-18s %s (%.0f s)", point.step(), verdict,
          (System.nanoTime() - started) / 1e9);
      System.out.println(line);
      lines.add(line);
    }
    System.out.printf("[faults] kill points survived %d / tried %d%n", survived, tried);
    assertThat(tried).isPositive();
    assertThat(survived).as("kill points survived:%n%s", String.join("\n", lines)).isEqualTo(tried);
  }

  /** Deploys broken commit {@code ref}, killed at {@code point} once, and checks where it ends. */
  private void round(KillPoint point, String ref, String v1) throws Exception {
    String broken = rev(ref);
    StagingReleaseStatus before = store.read("faults").orElseThrow();
    int backupsBefore = before.getBackups().size();
    long filesBefore = backupFiles();
    int restoresBefore = restores();

    writeManifest(ref);
    long began = System.nanoTime();
    Process pausedProcess = start(point.step());
    Path log = logOf(run);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> Files.readString(log).contains("[fault] paused at " + point.step()));
    long paused = System.nanoTime();
    kill(pausedProcess);

    start(null);
    StagingReleaseStatus end = awaitStatus("settled after a kill at " + point.step(), Duration.ofSeconds(120),
        s -> s.getOperation() == null && quarantined(s, broken) && v1.equals(s.getCurrent().getCommit())
            && (s.getPhase() == Phase.RolledBack || s.getPhase() == Phase.Failed));
    long settled = System.nanoTime();
    System.out.printf("[faults]   %s: paused after %.1f s, settled %.1f s after the restart%n", point.step(),
        (paused - began) / 1e9, (settled - paused) / 1e9);
    // It stays settled: nothing is retried or redeployed by a later reconcile.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
        .until(() -> steps(store.read("faults").orElseThrow()).equals(steps(end)));

    assertThat(end.getCurrent().getCommit()).as("running commit").isEqualTo(v1);
    assertThat(end.getLastKnownGood().getCommit()).as("last-known-good").isEqualTo(v1);
    assertThat(end.getQuarantined()).filteredOn(q -> q.getCommit().equals(broken)).as("quarantined once").hasSize(1);
    assertRunningOnly(v1);

    List<HistoryEntry> deploys = end.getHistory().stream()
        .filter(h -> h.getAction() == ActionKind.Deploy && broken.equals(h.getTo().getCommit())).toList();
    List<HistoryEntry> rollbacks = end.getHistory().stream()
        .filter(h -> h.getAction() == ActionKind.Rollback && broken.equals(h.getFrom().getCommit())).toList();
    assertThat(deploys).as("deploys of %s", ref).singleElement().satisfies(h -> {
      assertThat(h.getResult()).isEqualTo(Result.Failed);
      assertThat(h.getBackup()).isNotNull();
    });
    assertThat(rollbacks).as("rollbacks from %s", ref).hasSize(1);
    HistoryEntry deploy = deploys.get(0);
    HistoryEntry rollback = rollbacks.get(0);
    assertThat(rollback.getBackup()).as("the rollback restores the backup taken before the deploy")
        .isEqualTo(deploy.getBackup());

    assertThat(end.getBackups().size()).as("one backup record").isEqualTo(backupsBefore + 1);
    assertThat(end.getBackups()).filteredOn(b -> b.getName().equals(deploy.getBackup())).hasSize(1);
    assertThat(backupFiles()).as("one backup file").isEqualTo(filesBefore + 1);

    List<String> notes = new ArrayList<>(deploy.getInterruptions());
    notes.addAll(rollback.getInterruptions());
    if (point.interruption() == null) {
      assertThat(notes).as("nothing was cut off").isEmpty();
    } else {
      assertThat(notes).as("history names the interrupted step").containsExactly(point.interruption());
    }

    if (!point.restoreCutOff()) {
      assertThat(end.getPhase()).as("phase; rollback: %s", rollback.getReason()).isEqualTo(Phase.RolledBack);
      assertThat(rollback.getResult()).isEqualTo(Result.Succeeded);
      assertThat(rollback.getRestore()).isEqualTo(Result.Succeeded);
      assertThat(restores()).as("restored exactly once").isEqualTo(restoresBefore + 1);
      assertThat(sql("SELECT id, name FROM items ORDER BY id")).as("v1's rows again").isEqualTo(V1_ROWS);
      return;
    }
    // A restore cut off may have left the data half restored: it is never rerun, a person decides.
    assertThat(end.getPhase()).isEqualTo(Phase.Failed);
    assertThat(rollback.getResult()).isEqualTo(Result.Failed);
    assertThat(rollback.getRestore()).isEqualTo(Result.Failed);
    assertThat(rollback.getReason()).contains("interrupted", deploy.getBackup());
    int expected = point.step().equals("restoring") ? restoresBefore : restoresBefore + 1;
    assertThat(restores()).as("restored at most once").isEqualTo(expected);
    if (expected == restoresBefore) {
      assertThat(sql("SELECT count(*) FROM items WHERE id >= 100")).as("the broken commit's row is still there")
          .isEqualTo("1");
    } else {
      assertThat(sql("SELECT id, name FROM items ORDER BY id")).isEqualTo(V1_ROWS);
    }
    // The person's part, so the next round starts from v1's data.
    sql("DELETE FROM items WHERE id >= 100");
  }

  /** History as comparable text: what was done, when, and how it ended. */
  private static List<String> steps(StagingReleaseStatus s) {
    return s.getHistory().stream()
        .map(h -> h.getAction() + " " + h.getStartTime() + " " + h.getResult() + " " + h.getRestore()).toList();
  }

  private static boolean quarantined(StagingReleaseStatus s, String commit) {
    return s.getQuarantined().stream().anyMatch(q -> q.getCommit().equals(commit));
  }

  /** Exactly one healthy db and one healthy app container, both from v1's checkout. */
  private void assertRunningOnly(String commit) throws Exception {
    List<ContainerState> containers = docker.containers(project, null);
    assertThat(containers).extracting(ContainerState::service).as("no orphan container")
        .containsExactlyInAnyOrder("db", "app");
    for (ContainerState c : containers) {
      assertThat(c.running()).as(c.service() + " running").isTrue();
      assertThat(c.health()).as(c.service() + " health").isEqualTo(ContainerState.Health.HEALTHY);
      assertThat(ServiceView.commitOf(c.workingDir())).as(c.service() + " checkout").isEqualTo(commit);
    }
  }

  private long backupFiles() throws Exception {
    Path dir = store.release("faults").backups();
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> !f.getFileName().toString().startsWith(".")).count();
    }
  }

  /** How many times the restore command ran: it counts itself in the db container. */
  private int restores() throws Exception {
    String out = DemoRepo.run(List.of("docker", "compose", "-p", project, "exec", "-T", "db",
        "sh", "-c", "cat /tmp/restores 2>/dev/null | wc -l"), tmp).trim();
    return Integer.parseInt(out);
  }

  private String sql(String query) throws Exception {
    return DemoRepo.run(List.of("docker", "compose", "-p", project, "exec", "-T", "db",
        "psql", "-U", "app", "-d", "app", "-At", "-c", query), tmp).trim();
  }

  private StagingReleaseStatus awaitStatus(
      String what, Duration bound, java.util.function.Predicate<StagingReleaseStatus> done) throws Exception {
    try {
      await().atMost(bound).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("faults").map(done::test).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StagingReleaseStatus s = store.read("faults").orElse(null);
      throw new AssertionError(what + " not reached within " + bound + "; phase "
          + (s == null ? "-" : s.getPhase() + ", history " + s.getHistory().stream().limit(3)
              .map(h -> h.getAction() + " " + h.getResult() + " " + h.getReason()).toList())
          + "\nlog:\n" + tail(logOf(run)), e);
    }
    return store.read("faults").orElseThrow();
  }

  private static String tail(Path log) throws Exception {
    List<String> all = Files.readAllLines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
  }

  private Process start(String pauseAt) throws Exception {
    run++;
    // C1 only and the serial collector: the same jar, started faster on a busy machine.
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-jar", LocalModeIT.jar(), "run",
        "--manifests", manifests.toString(), "--state", state.toString(),
        "--port", String.valueOf(LocalModeIT.freePort()));
    if (pauseAt != null) {
      pb.environment().put(FaultPoints.ENV, pauseAt);
    } else {
      pb.environment().remove(FaultPoints.ENV);
    }
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(run).toFile()));
    Process p = pb.start();
    daemons.add(p);
    return p;
  }

  private Path logOf(int n) {
    return tmp.resolve("backstop-" + n + ".log");
  }

  /** SIGKILL on Linux: no shutdown hook, no last write. */
  private void kill(Process p) throws Exception {
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  private String rev(String ref) throws Exception {
    return DemoRepo.run(List.of("git", "rev-parse", ref + "^{commit}"), repo).trim();
  }

  private void writeManifest(String ref) throws Exception {
    DemoRepo.write(manifests.resolve("faults.yaml"), """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: faults
        spec:
          source:
            url: file://%s
            ref: %s
          compose:
            projectName: %s
          health:
            interval: 1s
            progressDeadline: 40s
          backup:
            service: db
            command: "%s"
            restoreCommand: "echo restored >> /tmp/restores && %s"
            restoreOnRollback: true
            retention: 50
        """.formatted(repo, ref, project, PgStack.DUMP, PgStack.RESTORE));
  }

  /** v1 makes three rows and is healthy; each b&lt;k&gt; adds a row, then fails its healthcheck. */
  private void makeRepo() throws Exception {
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("compose.yaml"), """
        services:
          db:
            image: %s
            environment:
              POSTGRES_USER: app
              POSTGRES_DB: app
            stop_grace_period: 3s
          app:
            image: %s
            init: true
            depends_on:
              db:
                condition: service_healthy
            volumes:
              - ./migrate.sql:/migrate.sql:ro
              - ./healthy:/healthy:ro
            command: ["sh", "-c", "psql -q -v ON_ERROR_STOP=1 -h db -U app -d app -f /migrate.sql && touch /tmp/migrated && exec sleep infinity"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD-SHELL", "test -f /tmp/migrated && grep -q yes /healthy"]
              interval: 1s
              retries: 2
        """.formatted(IMAGE, IMAGE));
    String v1Migration = """
        CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name text NOT NULL);
        INSERT INTO items VALUES (1, 'apple'), (2, 'pear'), (3, 'plum') ON CONFLICT DO NOTHING;
        """;
    Files.writeString(repo.resolve("migrate.sql"), v1Migration);
    Files.writeString(repo.resolve("healthy"), "yes\n");
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "v1: items table");
    git("tag", "v1");
    for (int k = 0; k < POINTS.size(); k++) {
      git("checkout", "-q", "-B", "broken", "v1");
      Files.writeString(repo.resolve("migrate.sql"), v1Migration
          + "INSERT INTO items VALUES (" + (100 + k) + ", 'broken " + k + "') ON CONFLICT DO NOTHING;\n");
      Files.writeString(repo.resolve("healthy"), "no: b" + k + " is broken\n");
      git("commit", "-qam", "b" + k + ": adds a row, then fails its healthcheck");
      git("tag", "b" + k);
    }
    git("checkout", "-q", "main");
  }

  private void git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t"));
    command.addAll(List.of(args));
    DemoRepo.run(command, repo);
  }
}
