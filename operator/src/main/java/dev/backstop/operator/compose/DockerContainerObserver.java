package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.Failures;
import dev.backstop.operator.core.ContainerState.Health;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ContainerObserver} backed by docker-java, through the shared {@link DockerHosts}. */
public final class DockerContainerObserver implements ContainerObserver {

  static final String PROJECT_LABEL = "com.docker.compose.project";
  static final String SERVICE_LABEL = "com.docker.compose.service";
  static final String WORKING_DIR_LABEL = "com.docker.compose.project.working_dir";
  static final String CONFIG_HASH_LABEL = "com.docker.compose.config-hash";
  // `docker compose run` containers: a person's one-off task, never part of what was applied.
  static final String ONEOFF_LABEL = "com.docker.compose.oneoff";

  private final DockerHosts hosts;

  /** Observes through the clients (and ssh forwards) of {@code hosts}, which the caller owns. */
  public DockerContainerObserver(DockerHosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public List<ContainerState> containers(String project, DockerEndpoint endpoint)
      throws ComposeException {
    DockerClient client = hosts.client(endpoint, DockerHosts.Purpose.API);
    try {
      List<Container> listed =
          client
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of(PROJECT_LABEL, project))
              .exec();
      List<ContainerState> states = new ArrayList<>();
      for (Container container : listed) {
        if (container.getLabels() != null && "True".equals(container.getLabels().get(ONEOFF_LABEL))) {
          continue;
        }
        inspect(client, container.getId()).ifPresent(states::add);
      }
      states.sort(
          Comparator.comparing(ContainerState::service, Comparator.nullsLast(String::compareTo))
              .thenComparing(ContainerState::name));
      return states;
    } catch (RuntimeException e) {
      // docker-java wraps I/O failures in plain RuntimeExceptions, API errors in DockerException.
      throw hosts.unreachable(endpoint, e);
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
            running || exitCode == null ? null : exitCode.intValue(),
            labels.get(CONFIG_HASH_LABEL),
            inspected.getRestartCount() == null ? 0 : inspected.getRestartCount()));
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

  static String shortCause(Throwable e) {
    return ComposeOutput.trimForStatus(Failures.rootMessage(e));
  }

}
