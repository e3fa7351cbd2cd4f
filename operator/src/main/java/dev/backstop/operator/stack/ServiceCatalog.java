package dev.backstop.operator.stack;

import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ReleaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services each applied commit defines, so that the serviceHealth check knows what should run
 * (a service that never started is missing, not absent). Shared by observation, apply and
 * `backstop verify`.
 */
public final class ServiceCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceCatalog.class);

  private final ComposeDriver compose;
  // Keyed by the checkout's compose directory: a commit's files never change.
  private final Map<Path, List<String>> byDirectory = new ConcurrentHashMap<>();

  public ServiceCatalog(ComposeDriver compose) {
    this.compose = compose;
  }

  /** Remembers what `compose config --services` said for an applied directory. */
  void remember(Path composeDir, List<String> services) {
    byDirectory.put(composeDir, List.copyOf(services));
  }

  /**
   * The services the running commit's compose files define; what Docker shows when the commit or
   * its checkout is unknown.
   *
   * @param commit the running commit, or null
   */
  public List<String> expected(
      ReleaseSettings settings, DockerEndpoint endpoint, String commit, Path workDir, List<ContainerState> observed) {
    if (commit != null) {
      Path dir = ComposeActuator.composeDir(workDir, commit, settings);
      List<String> known = byDirectory.get(dir);
      if (known != null) {
        return known;
      }
      if (Files.isDirectory(dir)) {
        try {
          List<String> services = compose.services(ComposeActuator.project(settings, endpoint, dir));
          remember(dir, services);
          return services;
        } catch (ComposeException e) {
          LOG.debug("cannot list services of {}: {}", dir, e.getMessage());
        }
      }
    }
    return observed.stream().map(ContainerState::service).distinct().sorted().toList();
  }
}
