package dev.backstop.operator.compose;

import java.util.List;
import java.util.Optional;

/** Applies compose projects with the real `docker compose` v2 CLI. */
public interface ComposeDriver {

  /**
   * Validates the project's compose files and lists its services (`config --services`). Touches no
   * container, so it is safe to call before deciding to apply.
   *
   * @throws ComposeException with {@link ComposeException.Kind#INVALID} for missing or malformed
   *     files
   */
  List<String> services(ComposeProject project) throws ComposeException;

  /**
   * Compose's hash of each service definition (`config --hash '*'`), the value `up` puts in the
   * containers' com.docker.compose.config-hash label.
   *
   * @throws ComposeException with {@link ComposeException.Kind#INVALID} for malformed files
   */
  java.util.Map<String, String> hashes(ComposeProject project) throws ComposeException;

  /** `down`, optionally with `--remove-orphans`; volumes are kept; each service's own stop grace. */
  default void down(ComposeProject project, boolean removeOrphans) throws ComposeException {
    down(project, removeOrphans, null);
  }

  /**
   * `down` as above, with `--timeout` seconds of grace between SIGTERM and SIGKILL for every
   * container.
   *
   * @param stopTimeout null for each service's stop_grace_period (Compose's 10 s by default)
   */
  void down(ComposeProject project, boolean removeOrphans, java.time.Duration stopTimeout)
      throws ComposeException;

  /**
   * The project's resolved model (`config --format json`): what to build, what to pull.
   *
   * @throws ComposeException with {@link ComposeException.Kind#INVALID} for malformed files
   */
  String config(ComposeProject project) throws ComposeException;

  /**
   * The model with variables left as written (`config --format json --no-interpolate`): the only
   * rendering that still names env files.
   */
  String rawConfig(ComposeProject project) throws ComposeException;

  /** The user an image runs as (its Config.User, "" = root), empty when the host lacks it. */
  Optional<String> imageUser(DockerEndpoint dockerHost, String image) throws ComposeException;

  /** `build` of the given services, progress to the log; a failure leaves containers untouched. */
  void build(ComposeProject project, List<String> services) throws ComposeException;

  /**
   * `pull --policy` of the given services before anything is recreated, so that a registry that
   * fails leaves the running stack as it is.
   *
   * @param policy "missing" or "always"
   */
  void pull(ComposeProject project, String policy, List<String> services) throws ComposeException;

  /**
   * `up -d --remove-orphans --no-build --pull never`: creates or recreates what changed from images
   * already on the host (pulled or built beforehand), so that it needs no registry and never builds
   * behind Backstop's back; returns when started.
   */
  void upFromHostImages(ComposeProject project) throws ComposeException;

  /**
   * `up -d --no-deps --no-build --pull never SERVICE...`: recreates only these services from the
   * project's files, leaving every other container of the project (and orphans) as it runs.
   */
  void upServicesFromHostImages(ComposeProject project, List<String> services) throws ComposeException;

  /** The id of a local image, empty when the engine has no image of that name. */
  Optional<String> imageId(DockerEndpoint dockerHost, String image) throws ComposeException;

  /** Local images (repository:tag) carrying {@code label}=value; untagged ones are left out. */
  List<String> images(DockerEndpoint dockerHost, String label, String value) throws ComposeException;

  /**
   * Removes one image name, never by force: the engine refuses an image a container uses.
   *
   * @return false when the engine refused, e.g. because a container uses it
   */
  boolean removeImage(DockerEndpoint dockerHost, String image) throws ComposeException;
}
