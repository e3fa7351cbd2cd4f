package dev.backstop.operator.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps release status and the last manifest problems as JSON files in the state directory. */
public final class StatusStore {

  private static final Logger LOG = LoggerFactory.getLogger(StatusStore.class);

  private final StateLayout layout;

  public StatusStore(Path stateDir) {
    this.layout = StateLayout.local(stateDir);
  }

  /** Where everything of this state directory lives. */
  public StateLayout layout() {
    return layout;
  }

  /**
   * The release's own directory; other parts keep per-release files such as checkouts here.
   *
   * @throws IllegalArgumentException if the name is not a DNS-1123 label
   */
  public Path releaseDir(String name) {
    return release(name).path();
  }

  /**
   * The release's directory and the files in it.
   *
   * @throws IllegalArgumentException if the name is not a DNS-1123 label
   */
  public StateLayout.ReleaseDir release(String name) {
    return layout.release(ReleaseName.requireValid(name));
  }

  /**
   * Stores the status unless the stored one is byte-identical.
   *
   * @return whether the file was written
   */
  public boolean write(String name, StagingReleaseStatus status) throws IOException {
    return writeIfChanged(release(name).status(), Json.writer().writeValueAsBytes(status));
  }

  /** The stored status; empty when there is none or it cannot be read, which is logged. */
  public Optional<StagingReleaseStatus> read(String name) {
    return readJson(release(name).status(), StagingReleaseStatus.class);
  }

  /** Whether the manifest the daemon last read for {@code name} sets spec.suspend: true. */
  public boolean manifestSuspends(String name) {
    String json = Generation.read(releaseDir(name)).specJson();
    if (json.isEmpty()) {
      return false;
    }
    try {
      return Json.mapper().readTree(json).path("suspend").asBoolean(false);
    } catch (IOException e) {
      LOG.warn("cannot read the saved spec of {}: {}", name, e.getMessage());
      return false;
    }
  }

  /** Names of the releases that have a stored status, sorted. */
  public List<String> names() throws IOException {
    Path releasesDir = layout.releasesDir();
    if (!Files.isDirectory(releasesDir)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(releasesDir)) {
      return dirs.map(dir -> dir.getFileName().toString())
          .filter(ReleaseName::isValid)
          .filter(name -> Files.isRegularFile(layout.release(name).status()))
          .sorted()
          .toList();
    }
  }

  /**
   * Stores the problems of the last manifest load, replacing the previous ones.
   *
   * @return whether the file was written
   */
  public boolean writeProblems(List<ManifestProblem> problems) throws IOException {
    List<StoredProblem> stored = new ArrayList<>();
    for (ManifestProblem problem : problems) {
      stored.add(new StoredProblem(problem.file().toString(), problem.name(), problem.message()));
    }
    return writeIfChanged(
        layout.problems(), Json.writer().writeValueAsBytes(new StoredProblems(stored)));
  }

  /** The problems of the last manifest load; empty when none were stored or they cannot be read. */
  public List<ManifestProblem> readProblems() {
    return readJson(layout.problems(), StoredProblems.class)
        .map(StatusStore::toProblems)
        .orElse(List.of());
  }

  private static List<ManifestProblem> toProblems(StoredProblems stored) {
    if (stored.problems() == null) {
      return List.of();
    }
    return stored.problems().stream()
        .filter(p -> p.file() != null && p.message() != null)
        .map(p -> new ManifestProblem(Path.of(p.file()), p.name(), p.message()))
        .toList();
  }

  // Skipping identical content spares a fsync per reconcile when nothing changed.
  private static boolean writeIfChanged(Path target, byte[] content) throws IOException {
    if (sameContent(target, content)) {
      return false;
    }
    AtomicFile.write(target, content, AtomicFile.Access.OWNER_ONLY);
    return true;
  }

  private static boolean sameContent(Path target, byte[] content) throws IOException {
    try {
      return Arrays.equals(Files.readAllBytes(target), content);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static <T> Optional<T> readJson(Path file, Class<T> type) {
    try {
      T value = Json.readerFor(type).readValue(Files.readAllBytes(file));
      return Optional.ofNullable(value);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Ignoring unreadable {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** problems.json: an object rather than a bare list so that fields can be added later. */
  private record StoredProblems(List<StoredProblem> problems) {}

  /** A problem with its path as plain text, which a CLI or a person can read as is. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record StoredProblem(String file, String name, String message) {}
}
