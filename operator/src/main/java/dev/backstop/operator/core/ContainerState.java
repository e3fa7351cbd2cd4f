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
 * @param restartCount how often Docker's restart policy restarted this container since it was
 *     created (compose recreates containers on every deploy that changes them)
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
    String configHash,
    int restartCount) {

  /**
   * Restarts by Docker's restart policy that serviceHealth forgives: a container killed from
   * outside (the OOM killer, a person) comes back and is "not yet", while a crash loop passes this
   * count within seconds and fails as before.
   */
  public static final int FORGIVEN_RESTARTS = 3;

  /** A container never restarted by its restart policy. */
  public ContainerState(
      String service, String id, String name, String state, Health health, String image, String workingDir,
      Integer exitCode, String configHash) {
    this(service, id, name, state, health, image, workingDir, exitCode, configHash, 0);
  }

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

  /** Docker is bringing it back by its restart policy, and it has not crash-looped yet. */
  public boolean restartingByPolicy() {
    return "restarting".equals(state) && restartCount <= FORGIVEN_RESTARTS;
  }
}
