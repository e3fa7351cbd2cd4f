package dev.backstop.operator.engine;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.git.SourceRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Git, Compose and Docker in memory, for tests about the drivers around the engine (keys, leader
 * election, triggers) where a real stack would only add minutes. Every `compose up` is recorded,
 * so a test can tell which engine acted. Refs map to fixed fake commits: "v1" -> "1111...".
 */
public final class FakeWorld implements SourceRepository, ComposeDriver, ContainerObserver {

  /** Every `up` this world saw, as "project@commit-directory". */
  public final List<String> ups = new CopyOnWriteArrayList<>();
  /** Every `down` this world saw, as "project --timeout SECONDS" or "project" for each service's own grace. */
  public final List<String> downs = new CopyOnWriteArrayList<>();
  /** Every `config --services` this world answered, by project directory. */
  public final List<Path> serviceListings = new CopyOnWriteArrayList<>();
  /** Every `pull` this world saw, as "policy [services]". */
  public final List<String> pulls = new CopyOnWriteArrayList<>();
  /** Every `config` rendering this world answered (--format json, --no-interpolate, --hash), by project directory. */
  public final List<Path> renders = new CopyOnWriteArrayList<>();
  /** Images this world's host lacks; every other image is present. */
  public final java.util.Set<String> absentImages = ConcurrentHashMap.newKeySet();
  private final Map<String, Path> running = new ConcurrentHashMap<>();
  /**
   * Branches on the fake remote, by name, to their commit: a ref named here resolves to what the
   * last fetch saw (pushing = putting a new commit here), unlike the fixed refs "v1" ... "v9".
   */
  public final Map<String, String> branches = new ConcurrentHashMap<>();
  private final Map<String, String> fetchedBranches = new ConcurrentHashMap<>();

  /** The fake commit a ref like "v1" resolves to: its digit 40 times. */
  public static String commit(String ref) {
    return ref.substring(ref.length() - 1).repeat(40);
  }

  @Override
  public String resolve(String url, String ref, boolean fetch, GitCredentials credentials)
      throws SourceException {
    String remote = branches.get(ref);
    if (remote != null) {
      if (fetch || !fetchedBranches.containsKey(ref)) {
        fetchedBranches.put(ref, remote);
      }
      return fetchedBranches.get(ref);
    }
    if (!ref.matches("v[0-9]")) {
      throw new SourceException(SourceException.Kind.REF_NOT_FOUND, "ref '" + ref + "' not found in " + url);
    }
    return commit(ref);
  }

  @Override
  public dev.backstop.operator.core.TagOutcome tag(String url, String commit, String name, GitCredentials credentials) {
    return dev.backstop.operator.core.TagOutcome.failed("the fake world keeps no tags");
  }

  /** This world's git, recording each resolve's fetch flag in {@code fetches} in order. */
  public SourceRepository recordingFetches(List<Boolean> fetches) {
    FakeWorld world = this;
    return new SourceRepository() {
      @Override
      public String resolve(String url, String ref, boolean fetch, GitCredentials credentials)
          throws SourceException {
        fetches.add(fetch);
        return world.resolve(url, ref, fetch, credentials);
      }

      @Override
      public Path checkout(String url, String commit, Path root, GitCredentials credentials) {
        return world.checkout(url, commit, root, credentials);
      }

      @Override
      public dev.backstop.operator.core.TagOutcome tag(String url, String commit, String name,
          GitCredentials credentials) {
        return world.tag(url, commit, name, credentials);
      }
    };
  }

  @Override
  public Path checkout(String url, String commit, Path root, GitCredentials credentials) {
    try {
      return Files.createDirectories(root.resolve(commit));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<String> services(ComposeProject project) {
    serviceListings.add(project.directory());
    return List.of("web");
  }

  @Override
  public void upFromHostImages(ComposeProject project) {
    ups.add(project.name() + "@" + project.directory());
    running.put(project.name(), project.directory());
  }

  @Override
  public void upServicesFromHostImages(ComposeProject project, List<String> services) {
    ups.add(project.name() + "@" + project.directory() + " " + services);
  }

  @Override
  public void down(ComposeProject project, boolean removeOrphans, java.time.Duration stopTimeout) {
    downs.add(project.name() + (stopTimeout == null ? "" : " --timeout " + stopTimeout.toSeconds()));
    running.remove(project.name());
  }

  @Override
  public String config(ComposeProject project) {
    renders.add(project.directory());
    return "{\"name\":\"" + project.name() + "\",\"services\":{\"web\":{\"image\":\"fake:1\"}}}";
  }

  @Override
  public Map<String, String> hashes(ComposeProject project) {
    renders.add(project.directory());
    return Map.of("web", "fake-hash");
  }

  @Override
  public String rawConfig(ComposeProject project) {
    return config(project);
  }

  @Override
  public Optional<String> imageUser(DockerEndpoint dockerHost, String image) {
    return Optional.of("");
  }

  @Override
  public void build(ComposeProject project, List<String> services) {}

  @Override
  public void pull(ComposeProject project, String policy, List<String> services) {
    pulls.add(policy + " " + services);
  }

  @Override
  public Optional<String> imageId(DockerEndpoint dockerHost, String image) {
    return absentImages.contains(image) ? Optional.empty() : Optional.of("sha256:fake");
  }

  @Override
  public List<String> images(DockerEndpoint dockerHost, String label, String value) {
    return List.of();
  }

  @Override
  public boolean removeImage(DockerEndpoint dockerHost, String image) {
    return true;
  }

  @Override
  public List<ContainerState> containers(String project, DockerEndpoint dockerHost) {
    Path dir = running.get(project);
    if (dir == null) {
      return List.of();
    }
    return List.of(new ContainerState("web", project + "-web", project + "-web-1", "running",
        ContainerState.Health.HEALTHY, "fake:1", dir.toString(), null));
  }
}
