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
 * @param configHash value of com.docker.compose.config-hash: Compose's hash of the service
 *     definition the container was created from, or null
 */
public record ContainerState(
    String service,
    String id,
    String name,
    String state,
    Health health,
    String image,
    String workingDir,
    Integer exitCode,
    String configHash) {

  /** A container whose config hash was not read. */
  public ContainerState(
      String service, String id, String name, String state, Health health, String image, String workingDir,
      Integer exitCode) {
    this(service, id, name, state, health, image, workingDir, exitCode, null);
  }

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
