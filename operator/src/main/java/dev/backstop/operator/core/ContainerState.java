package dev.backstop.operator.core;

/**
 * One container of a compose project as Docker reports it.
 *
 * @param service value of the com.docker.compose.service label
 * @param id container id
 * @param name container name
 * @param state Docker's state: running, exited, restarting, created, paused, dead
 * @param health health of a container with a healthcheck, or {@link Health#NONE}
 * @param image image reference the container was created from
 * @param workingDir value of com.docker.compose.project.working_dir: the checkout it came from
 * @param exitCode exit code when not running
 */
public record ContainerState(
    String service,
    String id,
    String name,
    String state,
    Health health,
    String image,
    String workingDir,
    Integer exitCode) {

  /** Docker healthcheck status. */
  public enum Health {
    NONE,
    STARTING,
    HEALTHY,
    UNHEALTHY
  }

  public boolean running() {
    return "running".equals(state);
  }
}
