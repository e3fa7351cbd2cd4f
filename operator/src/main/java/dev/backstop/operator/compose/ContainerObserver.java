package dev.backstop.operator.compose;

import dev.backstop.operator.core.ContainerState;
import java.util.List;

/** Reads the containers of a compose project from the Docker engine (docker-java). */
public interface ContainerObserver {

  /**
   * Lists every container, running or not, labelled {@code com.docker.compose.project=project}.
   *
   * @param endpoint how to reach the engine (see DockerHosts#endpoint)
   * @throws ComposeException with {@link ComposeException.Kind#UNAVAILABLE} when the engine
   *     cannot be reached
   */
  List<ContainerState> containers(String project, DockerEndpoint endpoint) throws ComposeException;
}
