package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import dev.backstop.operator.core.Failures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ContainerObserver} backed by docker-java, with one client per Docker host. */
public final class DockerContainerObserver implements ContainerObserver, AutoCloseable {

  static final String PROJECT_LABEL = "com.docker.compose.project";
  static final String SERVICE_LABEL = "com.docker.compose.service";
  static final String WORKING_DIR_LABEL = "com.docker.compose.project.working_dir";

  private static final Logger LOG = LoggerFactory.getLogger(DockerContainerObserver.class);
  // Reconciles run often: a dead engine should fail them fast, not hang them.
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Engine> engines = new ConcurrentHashMap<>();
  private final SshForwards forwards = new SshForwards(DockerEndpoints.shared());
  private volatile boolean closed;

  @Override
  public List<ContainerState> containers(String project, String dockerHost)
      throws ComposeException {
    Engine engine = engine(dockerHost);
    DockerClient client = engine.client();
    try {
      List<Container> listed =
          client
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of(PROJECT_LABEL, project))
              .exec();
      List<ContainerState> states = new ArrayList<>();
      for (Container container : listed) {
        inspect(client, container.getId()).ifPresent(states::add);
      }
      states.sort(
          Comparator.comparing(ContainerState::service, Comparator.nullsLast(String::compareTo))
              .thenComparing(ContainerState::name));
      return states;
    } catch (RuntimeException e) {
      // docker-java wraps I/O failures in plain RuntimeExceptions, API errors in DockerException.
      throw unreachable(engine.host(), e, engine.dockerHost());
    }
  }

  private static Optional<ContainerState> inspect(DockerClient client, String id) {
    InspectContainerResponse inspected;
    try {
      inspected = client.inspectContainerCmd(id).exec();
    } catch (NotFoundException e) {
      // Removed between list and inspect: it is gone, which is what a fresh list would say.
      return Optional.empty();
    }
    InspectContainerResponse.ContainerState state = inspected.getState();
    Map<String, String> labels =
        inspected.getConfig().getLabels() == null ? Map.of() : inspected.getConfig().getLabels();
    boolean running = Boolean.TRUE.equals(state.getRunning());
    Long exitCode = state.getExitCodeLong();
    return Optional.of(
        new ContainerState(
            labels.get(SERVICE_LABEL),
            inspected.getId(),
            stripSlash(inspected.getName()),
            state.getStatus(),
            health(state.getHealth()),
            inspected.getConfig().getImage(),
            labels.get(WORKING_DIR_LABEL),
            running || exitCode == null ? null : exitCode.intValue()));
  }

  static Health health(HealthState health) {
    if (health == null || health.getStatus() == null) {
      return Health.NONE;
    }
    switch (health.getStatus()) {
      case "starting":
        return Health.STARTING;
      case "healthy":
        return Health.HEALTHY;
      case "unhealthy":
        return Health.UNHEALTHY;
      default:
        return Health.NONE;
    }
  }

  // The engine reports names as "/project-service-1".
  private static String stripSlash(String name) {
    return name != null && name.startsWith("/") ? name.substring(1) : name;
  }

  private Engine engine(String dockerHost) throws ComposeException {
    if (closed) {
      throw new IllegalStateException("observer is closed");
    }
    // Every call checks the forward: one that died is restarted on the same socket path.
    String forward = SshForwards.isSsh(dockerHost) ? forwards.ensure(dockerHost) : null;
    try {
      // Keyed with the TLS fingerprint: rotated certificates get a new client.
      return engines.computeIfAbsent(
          DockerEndpoints.shared().cacheKey(dockerHost), key -> connect(dockerHost, forward));
    } catch (RuntimeException e) {
      // A malformed host URI fails here, before any connection.
      throw unreachable(dockerHost == null ? "the local engine" : dockerHost, e, dockerHost);
    }
  }

  private Engine connect(String dockerHost, String forward) {
    DockerClientConfig config =
        DockerEndpoints.shared().clientConfig(forward != null ? forward : dockerHost);
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .connectionTimeout(CONNECT_TIMEOUT)
            .responseTimeout(RESPONSE_TIMEOUT)
            .build();
    return new Engine(
        DockerClientImpl.getInstance(config, http),
        forward != null ? dockerHost : config.getDockerHost().toString(),
        dockerHost);
  }

  private static ComposeException unreachable(String host, RuntimeException e, String dockerHost) {
    String cause = shortCause(e);
    return new ComposeException(
        Kind.UNAVAILABLE,
        "cannot reach the Docker engine at "
            + host
            + ": "
            + cause
            + DockerEndpoints.shared().hint(dockerHost, cause),
        e);
  }

  static String shortCause(Throwable e) {
    return ComposeOutput.trimForStatus(Failures.rootMessage(e));
  }

  @Override
  public void close() {
    closed = true;
    for (Engine engine : engines.values()) {
      try {
        engine.client().close();
      } catch (IOException e) {
        LOG.debug("Closing a Docker client failed", e);
      }
    }
    engines.clear();
    forwards.close();
  }

  /**
   * A client, the host it talks to as resolved from the configuration, and the DOCKER_HOST it was
   * asked for (null = the local engine).
   */
  private record Engine(DockerClient client, String host, String dockerHost) {}
}
