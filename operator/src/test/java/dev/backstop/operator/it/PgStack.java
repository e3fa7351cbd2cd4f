package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.Recorder;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.git.JGitSourceRepository;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * An app + real PostgreSQL stack in a generated git repository, reconciled in-process by the real
 * engine (JGit, Compose CLI, docker-java). v1 creates table items with three rows; v2 migrates it
 * (new column, changed rows, a new table) and then fails its healthcheck.
 */
final class PgStack implements AutoCloseable {

  static final String IMAGE = "backstop-test/postgres:15";
  static final String DUMP = "pg_dump -U app --no-owner app";
  // Drop and recreate the database so that the restore leaves exactly what the dump holds.
  static final String RESTORE = "psql -q -v ON_ERROR_STOP=1 -U app -d postgres"
      + " -c 'DROP DATABASE IF EXISTS app WITH (FORCE)' -c 'CREATE DATABASE app'"
      + " && psql -q -v ON_ERROR_STOP=1 -U app -d app";

  final Path dir;
  final Path repo;
  final String project = "bsbk-" + UUID.randomUUID().toString().substring(0, 8);
  final DockerHosts dockerHosts = new DockerHosts();
  final DockerContainerObserver observer = new DockerContainerObserver(dockerHosts);
  ReleaseLoop loop;
  private HealthMonitor health;
  /** Request annotations (backstop.dev/backup, ...) as a driver would pass them. */
  final Map<String, String> requests = new HashMap<>();
  /** When it holds for a status just recorded, the "process" dies there: {@link Killed} is thrown. */
  Predicate<StagingReleaseStatus> killAfterRecording;
  final StagingRelease release = new StagingRelease();
  final List<ReleaseEvent> events = new ArrayList<>();
  StagingReleaseStatus status;
  long generation = 1;

  PgStack(Path dir) throws Exception {
    this.dir = dir;
    this.repo = dir.resolve("repo");
    restart();
    makeRepo();
    release.setMetadata(new ObjectMetaBuilder().withName("shop").build());
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file://" + repo);
    source.setRef("v1");
    spec.setSource(source);
    ComposeSpec compose = new ComposeSpec();
    compose.setProjectName(project);
    spec.setCompose(compose);
    HealthSpec health = new HealthSpec();
    health.setInterval("1s");
    health.setProgressDeadline("40s");
    spec.setHealth(health);
    BackupSpec backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand(DUMP);
    backup.setRestoreCommand(RESTORE);
    backup.setRestoreOnRollback(true);
    spec.setBackup(backup);
    release.setSpec(spec);
  }

  /** A new engine, as a restarted process has: only the recorded status carries over. */
  void restart() {
    if (health != null) {
      health.close();
    }
    health = new HealthMonitor(new LiveProbes(dockerHosts), Clock.systemUTC());
    loop = LiveStack.loop(dockerHosts, new JGitSourceRepository(dir.resolve("git-cache"), System::getenv),
        new DockerComposeCli(Duration.ofSeconds(120)), observer, new DockerDatabaseBackups(dockerHosts), health,
        Clock.systemUTC());
  }

  /** Thrown by the recorder to stop a reconcile the way a killed process stops. */
  static final class Killed extends RuntimeException {
    Killed() {
      super("killed after recording");
    }
  }

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
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), repo);
    DemoRepo.run(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "add", "-A"), repo);
    commitAndTag("v1: items table");
    Files.writeString(repo.resolve("migrate.sql"), """
        ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 0;
        UPDATE items SET name = upper(name), price = 7;
        INSERT INTO items VALUES (4, 'FIG', 9);
        CREATE TABLE audit (at timestamptz DEFAULT now(), what text);
        INSERT INTO audit (what) VALUES ('v2 migrated');
        """);
    Files.writeString(repo.resolve("healthy"), "no: v2 is broken\n");
    commitAndTag("v2: migrates items, then fails its healthcheck");
    // v3 is v1 again under another commit: a healthy deploy that leaves the data alone.
    Files.writeString(repo.resolve("migrate.sql"), v1Migration);
    Files.writeString(repo.resolve("healthy"), "yes\n");
    Files.writeString(repo.resolve("VERSION"), "3\n");
    DemoRepo.run(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "add", "-A"), repo);
    commitAndTag("v3: healthy again, data untouched");
  }

  private void commitAndTag(String message) throws Exception {
    DemoRepo.run(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "commit", "-qam", message), repo);
    DemoRepo.run(List.of("git", "tag", message.substring(0, 2)), repo);
  }

  String commit(String ref) throws Exception {
    return DemoRepo.run(List.of("git", "rev-parse", ref + "^{commit}"), repo).trim();
  }

  void specChanged() {
    generation++;
  }

  /** Reconciles until {@code done} holds, like a driver would, within {@code bound}. */
  void reconcileUntil(Duration bound, Callable<Boolean> done) {
    try {
      await().atMost(bound).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(300)).until(() -> {
        reconcileOnce();
        return done.call();
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not reached within " + bound + "; phase " + (status == null ? "-" : status.getPhase())
          + ", history: " + (status == null ? "-" : status.getHistory().stream()
              .map(h -> h.getAction() + " " + h.getResult() + " " + h.getReason()).toList()), e);
    }
  }

  void reconcileOnce() {
    Map<String, String> asked = Map.copyOf(requests);
    try {
      loop.reconcile(ReleaseInput.of(release, generation, asked, dir.resolve("state"), Access.NONE), status,
          new Recorder() {
      @Override
      public void record(StagingReleaseStatus s) {
        status = s;
        if (killAfterRecording != null && killAfterRecording.test(s)) {
          killAfterRecording = null;
          throw new Killed();
        }
      }

      @Override
      public void event(ReleaseEvent e) {
        events.add(e);
      }
    });
    } catch (Recorder.RecordFailedException e) {
      throw new AssertionError(e);
    }
  }

  /** Runs SQL in the db container and returns psql's unaligned output. */
  String sql(String query) throws Exception {
    return DemoRepo.run(List.of("docker", "compose", "-p", project, "exec", "-T", "db",
        "psql", "-U", "app", "-d", "app", "-At", "-c", query), dir).trim();
  }

  String containerId(String service) throws Exception {
    return observer.containers(project, null).stream().filter(c -> service.equals(c.service()))
        .findFirst().orElseThrow().id();
  }

  @Override
  public void close() throws Exception {
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1", "-v"), dir);
    if (health != null) {
      health.close();
    }
    dockerHosts.close();
  }
}
