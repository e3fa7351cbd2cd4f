package dev.backstop.operator.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.compose.CommitImages;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.Drift;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.TreeMap;
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
  // What a commit renders also depends on the stack variables and the image override.
  private record RenderKey(Path dir, List<String> files, String envFingerprint) {}

  private final Map<RenderKey, Map<String, Drift.Expected>> rendered = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  public ServiceCatalog(ComposeDriver compose) {
    this.compose = compose;
  }

  /**
   * What `compose config --services` says for a checkout's compose directory, asked once per
   * directory: a rollback to a commit this daemon ran before spends no compose run on it.
   *
   * @throws ComposeException as {@link ComposeDriver#services} does
   */
  List<String> defined(Path composeDir, ComposeProject project) throws ComposeException {
    List<String> known = byDirectory.get(composeDir);
    if (known != null) {
      return known;
    }
    List<String> services = List.copyOf(compose.services(project));
    byDirectory.put(composeDir, services);
    return services;
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
      if (byDirectory.containsKey(dir) || Files.isDirectory(dir)) {
        try {
          return defined(dir, ComposeActuator.project(settings, endpoint, dir));
        } catch (ComposeException e) {
          LOG.debug("cannot list services of {}: {}", dir, e.getMessage());
        }
      }
    }
    return observed.stream().map(ContainerState::service).distinct().sorted().toList();
  }

  /**
   * Per service, the image and config hash the running commit renders with these variables and its
   * image override, as `up` applied it; null when its checkout or files cannot be read (drift is
   * then not judged, rather than judged wrong).
   */
  public Map<String, Drift.Expected> rendered(
      ReleaseSettings settings, DockerEndpoint endpoint, String commit, Path workDir, StackEnv env) {
    Path dir = ComposeActuator.composeDir(workDir, commit, settings);
    if (!Files.isDirectory(dir)) {
      return null;
    }
    ComposeProject project = ComposeActuator.project(settings, endpoint, dir, env);
    Path override = new StateLayout.ReleaseDir(workDir).imagesOverride(commit);
    if (Files.isRegularFile(override)) {
      List<String> files = new ArrayList<>(CommitImages.effectiveFiles(dir, project.files()));
      files.add(override.toAbsolutePath().toString());
      project = project.withFiles(files);
    }
    RenderKey key = new RenderKey(dir, project.files(), env.fingerprint());
    Map<String, Drift.Expected> known = rendered.get(key);
    if (known != null) {
      return known;
    }
    try {
      Map<String, String> hashes = compose.hashes(project);
      Map<String, Drift.Expected> expected = new TreeMap<>();
      JsonNode services = JSON.readTree(compose.config(project)).path("services");
      for (Iterator<String> it = services.fieldNames(); it.hasNext(); ) {
        String service = it.next();
        JsonNode image = services.path(service).path("image");
        expected.put(service, new Drift.Expected(image.isTextual() ? image.asText() : null, hashes.get(service)));
      }
      Map<String, Drift.Expected> result = Map.copyOf(expected);
      rendered.put(key, result);
      return result;
    } catch (ComposeException | IOException e) {
      LOG.debug("cannot render {} to judge drift: {}", dir, e.getMessage());
      return null;
    }
  }
}
