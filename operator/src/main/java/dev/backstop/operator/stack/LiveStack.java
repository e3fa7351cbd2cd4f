package dev.backstop.operator.stack;

import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.state.StateLayout;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The real adapters of one process (JGit, the compose CLI, docker-java, live probes) wired into a
 * {@link ReleaseLoop}: what each driver's composition root builds once and closes on shutdown.
 */
public final class LiveStack implements AutoCloseable {

  private final DockerHosts docker;
  private final LiveProbes probes;
  private final HealthMonitor health;
  private final ReleaseLoop loop;

  /** Adapters that keep their git cache where {@code layout} says. */
  public LiveStack(StateLayout layout, Clock clock) {
    JGitSourceRepository git = new JGitSourceRepository(layout.gitCache(), System::getenv);
    DockerComposeCli compose = new DockerComposeCli();
    this.docker = new DockerHosts();
    this.probes = new LiveProbes(clock, docker);
    this.health = new HealthMonitor(probes, clock);
    // The process's own git token is a secret of every release that may use it.
    this.loop = loop(docker, git, compose, new DockerContainerObserver(docker), new DockerDatabaseBackups(docker),
        health, clock).redacting(processSecrets(System::getenv));
  }

  /** Values of the environment that are secrets wherever they show up. */
  public static List<String> processSecrets(Function<String, String> env) {
    String token = env.apply(JGitSourceRepository.TOKEN_VARIABLE);
    return token == null ? List.of() : List.of(token);
  }

  /** The loop over these adapters; tests bring fakes or adapters of their own. */
  public static ReleaseLoop loop(
      DockerHosts docker,
      SourceRepository git,
      ComposeDriver compose,
      ContainerObserver containers,
      DatabaseBackups backups,
      HealthMonitor health,
      Clock clock) {
    ServiceCatalog services = new ServiceCatalog(compose);
    return new ReleaseLoop(
        new DockerObserver(docker, git, containers, health, services, clock),
        new ComposeActuator(docker, git, compose, backups, services),
        clock);
  }

  public ReleaseLoop loop() {
    return loop;
  }

  /** The background probes; drivers subscribe to their news to reconcile at once. */
  public HealthMonitor health() {
    return health;
  }

  /** How every adapter reaches Docker engines: one client per engine, one ssh forward per host. */
  public DockerHosts docker() {
    return docker;
  }

  @Override
  public void close() {
    health.close();
    probes.close();
    docker.close();
  }
}
