package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.Recorder;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * An app + real database stack of any {@link DbFlavor} in a generated git repository, reconciled
 * in-process by the real engine, with the spec.backup a test hands in. v1 creates data; v2
 * migrates it destructively and then fails its healthcheck; v3 is v1 again under a new commit.
 * With spec.backup.passwordSecretRef the database refuses every connection without the password
 * ({@link DbFlavor#passwordEnforcingCommand}): only then does a passing backup prove the Secret's
 * password was used.
 */
final class DbStack implements AutoCloseable {

  final DbFlavor flavor;
  final String service;
  final String database;
  final String user;
  final Path dir;
  final Path repo;
  final String project = "bsdb-" + UUID.randomUUID().toString().substring(0, 8);
  final DockerHosts dockerHosts = new DockerHosts();
  final StagingRelease release = new StagingRelease();
  final List<ReleaseEvent> events = new ArrayList<>();
  /** Called with every status as it is recorded, before the loop acts on it. */
  Consumer<StagingReleaseStatus> onRecord = s -> {};
  StagingReleaseStatus status;
  long generation = 1;
  /** What the driver resolved for the release: spec.backup's S3 credentials and encryption key. */
  Access access = Access.NONE;
  /** Request annotations (backstop.dev/backup, ...) the next reconciles see. */
  final Map<String, String> requests = new LinkedHashMap<>();
  private final ReleaseLoop loop;
  private final HealthMonitor health;

  DbStack(Path dir, DbFlavor flavor, BackupSpec backup, String database, String user) throws Exception {
    this.flavor = flavor;
    this.service = backup.getService();
    this.database = database;
    this.user = user;
    this.dir = dir;
    this.repo = dir.resolve("repo");
    health = new HealthMonitor(new LiveProbes(dockerHosts), Clock.systemUTC());
    loop = LiveStack.loop(dockerHosts, new JGitSourceRepository(dir.resolve("git-cache"), System::getenv),
        new DockerComposeCli(Duration.ofSeconds(120)), new DockerContainerObserver(dockerHosts),
        new DockerDatabaseBackups(dockerHosts), health, Clock.systemUTC());
    makeRepo(backup.getPasswordSecretRef() != null);
    release.setMetadata(new ObjectMetaBuilder().withName("shop").build());
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file://" + repo);
    source.setRef("v1");
    spec.setSource(source);
    ComposeSpec compose = new ComposeSpec();
    compose.setProjectName(project);
    spec.setCompose(compose);
    HealthSpec healthSpec = new HealthSpec();
    healthSpec.setInterval("1s");
    healthSpec.setProgressDeadline("60s");
    spec.setHealth(healthSpec);
    spec.setBackup(backup);
    release.setSpec(spec);
  }

  private void makeRepo(boolean enforcePassword) throws Exception {
    Files.createDirectories(repo);
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("image", flavor.image);
    db.put("environment", flavor.env(database, user));
    Object command = enforcePassword && flavor.passwordEnforcingCommand() != null
        ? flavor.passwordEnforcingCommand() : flavor.serverCommand();
    if (command != null) {
      db.put("command", command);
    }
    db.put("stop_grace_period", "3s");
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("image", flavor.image);
    app.put("init", true);
    app.put("environment", flavor.env(database, user));
    app.put("depends_on", Map.of(service, Map.of("condition", "service_healthy")));
    app.put("volumes", List.of("./" + flavor.migrationFile + ":/migrate:ro", "./healthy:/healthy:ro"));
    app.put("command", List.of("sh", "-c",
        flavor.migrate(service, database, user) + " && touch /tmp/migrated && exec sleep infinity"));
    app.put("stop_grace_period", "1s");
    app.put("healthcheck", Map.of("test", List.of("CMD-SHELL", "test -f /tmp/migrated && grep -q yes /healthy"),
        "interval", "1s", "retries", 2));
    Map<String, Object> services = new LinkedHashMap<>();
    services.put(service, db);
    services.put("app", app);
    Files.writeString(repo.resolve("compose.yaml"), new YAMLMapper().writeValueAsString(Map.of("services", services)));
    Files.writeString(repo.resolve(flavor.migrationFile), flavor.v1());
    Files.writeString(repo.resolve("healthy"), "yes\n");
    git("init", "-q", "-b", "main");
    git("add", "-A");
    commitAndTag("v1");
    Files.writeString(repo.resolve(flavor.migrationFile), flavor.v2());
    Files.writeString(repo.resolve("healthy"), "no: v2 is broken\n");
    commitAndTag("v2");
    Files.writeString(repo.resolve(flavor.migrationFile), flavor.v1());
    Files.writeString(repo.resolve("healthy"), "yes\n");
    Files.writeString(repo.resolve("VERSION"), "3\n");
    git("add", "-A");
    commitAndTag("v3");
  }

  private void git(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.email=t@backstop.dev", "-c", "user.name=t"));
    cmd.addAll(List.of(args));
    DemoRepo.run(cmd, repo);
  }

  private void commitAndTag(String tag) throws Exception {
    git("commit", "-qam", tag);
    git("tag", tag);
  }

  String commit(String ref) throws Exception {
    return DemoRepo.run(List.of("git", "rev-parse", ref + "^{commit}"), repo).trim();
  }

  void deploy(String ref) {
    release.getSpec().getSource().setRef(ref);
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

  void reconcileOnce() throws Exception {
    loop.reconcile(ReleaseInput.of(release, generation, requests, dir.resolve("state"), access), status,
        new Recorder() {
          @Override
          public void record(StagingReleaseStatus s) {
            status = s;
            onRecord.accept(s);
          }

          @Override
          public void event(ReleaseEvent e) {
            events.add(e);
          }
        });
  }

  /** Everything the database holds, as the flavor prints it. */
  String snapshot() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "compose", "-p", project, "exec", "-T", service));
    cmd.addAll(flavor.snapshot(database, user));
    return DemoRepo.run(cmd, dir).strip();
  }

  /** Restarts the database service (a restart must keep what a restore put back). */
  void restartDatabase() throws Exception {
    DemoRepo.run(List.of("docker", "compose", "-p", project, "restart", "-t", "3", service), dir);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> DemoRepo.run(
        List.of("docker", "compose", "-p", project, "ps", "--format", "{{.Health}}", service), dir).strip()
        .equals("healthy"));
  }

  @Override
  public void close() throws Exception {
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1", "-v"), dir);
    health.close();
    dockerHosts.close();
  }
}
