package dev.backstop.operator.stack;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.RenderCache;
import dev.backstop.operator.compose.SubprocessEnv;
import dev.backstop.operator.engine.FaultPoints;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.state.StateLayout;
import java.time.Clock;
import java.util.Set;
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
  private final ComposeGate gate;

  /** Adapters that keep their git cache where {@code layout} says, with no policy ceiling. */
  public LiveStack(StateLayout layout, Clock clock) {
    this(layout, clock, PolicyLevel.Privileged);
  }

  /**
   * Adapters that keep their git cache where {@code layout} says.
   *
   * @param ceiling the loosest compose policy a release may run under (--compose-policy)
   */
  public LiveStack(StateLayout layout, Clock clock, PolicyLevel ceiling) {
    this(layout, clock, ceiling, Set.of());
  }

  /**
   * @param ceiling the loosest compose policy a release may run under (--compose-policy)
   * @param stackEnv names of this process's variables every stack may see (--stack-env)
   */
  public LiveStack(StateLayout layout, Clock clock, PolicyLevel ceiling, Set<String> stackEnv) {
    this(layout, clock, ceiling, stackEnv, new ComposeGate(ComposeGate.DEFAULT_LIMIT));
  }

  /**
   * @param ceiling the loosest compose policy a release may run under (--compose-policy)
   * @param stackEnv names of this process's variables every stack may see (--stack-env)
   * @param gate how many compose runs change containers at once per engine (--compose-concurrency)
   */
  public LiveStack(StateLayout layout, Clock clock, PolicyLevel ceiling, Set<String> stackEnv, ComposeGate gate) {
    this.gate = gate;
    JGitSourceRepository git = new JGitSourceRepository(layout.gitCache(), System::getenv);
    this.docker = new DockerHosts(new SubprocessEnv(layout.subprocessHome(), System::getenv, stackEnv));
    ComposeDriver compose = new RenderCache(
        new DockerComposeCli("docker", DockerComposeCli.DEFAULT_TIMEOUT, docker.subprocessEnv()));
    this.probes = new LiveProbes(docker);
    this.health = new HealthMonitor(probes, clock);
    // The process's own git token is a secret of every release that may use it.
    this.loop = loop(docker, git, compose, new DockerContainerObserver(docker), new DockerDatabaseBackups(docker),
        health, clock, ceiling, gate).redacting(processSecrets(System::getenv));
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
    return loop(docker, git, compose, containers, backups, health, clock, PolicyLevel.Privileged);
  }

  /** The loop over these adapters under the policy ceiling {@code ceiling}. */
  public static ReleaseLoop loop(
      DockerHosts docker,
      SourceRepository git,
      ComposeDriver compose,
      ContainerObserver containers,
      DatabaseBackups backups,
      HealthMonitor health,
      Clock clock,
      PolicyLevel ceiling) {
    return loop(docker, git, compose, containers, backups, health, clock, ceiling, ComposeGate.UNBOUNDED);
  }

  /** The loop over these adapters under the policy ceiling, its compose runs through {@code gate}. */
  public static ReleaseLoop loop(
      DockerHosts docker,
      SourceRepository git,
      ComposeDriver compose,
      ContainerObserver containers,
      DatabaseBackups backups,
      HealthMonitor health,
      Clock clock,
      PolicyLevel ceiling,
      ComposeGate gate) {
    ServiceCatalog services = new ServiceCatalog(compose);
    return new ReleaseLoop(
        new DockerObserver(docker, git, containers, health, services, clock, ceiling),
        new ComposeActuator(docker, git, compose, backups, services, ceiling, gate),
        clock,
        // Test-only pause points (the kill-point fault suite); unset everywhere else, and then they do nothing.
        FaultPoints.fromEnvironment(System.getenv()));
  }

  /** The turns compose runs take per engine. */
  public ComposeGate gate() {
    return gate;
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
