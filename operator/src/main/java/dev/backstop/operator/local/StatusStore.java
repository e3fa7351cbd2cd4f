package dev.backstop.operator.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
  private static final String STATUS_FILE = "status.json";
  private static final String PROBLEMS_FILE = "problems.json";

  private final Path stateDir;
  private final Path releasesDir;

  public StatusStore(Path stateDir) {
    this.stateDir = stateDir;
    this.releasesDir = stateDir.resolve("releases");
  }

  /**
   * The release's own directory; other parts keep per-release files such as checkouts here.
   *
   * @throws IllegalArgumentException if the name is not a DNS-1123 label
   */
  public Path releaseDir(String name) {
    return releasesDir.resolve(ReleaseName.requireValid(name));
  }

  /**
   * Stores the status unless the stored one is byte-identical.
   *
   * @return whether the file was written
   */
  public boolean write(String name, StagingReleaseStatus status) throws IOException {
    return writeAtomically(
        releaseDir(name).resolve(STATUS_FILE), Json.writer().writeValueAsBytes(status));
  }

  /** The stored status; empty when there is none or it cannot be read, which is logged. */
  public Optional<StagingReleaseStatus> read(String name) {
    return readJson(releaseDir(name).resolve(STATUS_FILE), StagingReleaseStatus.class);
  }

  /** Names of the releases that have a stored status, sorted. */
  public List<String> names() throws IOException {
    if (!Files.isDirectory(releasesDir)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(releasesDir)) {
      return dirs.map(dir -> dir.getFileName().toString())
          .filter(ReleaseName::isValid)
          .filter(name -> Files.isRegularFile(releasesDir.resolve(name).resolve(STATUS_FILE)))
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
    return writeAtomically(
        stateDir.resolve(PROBLEMS_FILE),
        Json.writer().writeValueAsBytes(new StoredProblems(stored)));
  }

  /** The problems of the last manifest load; empty when none were stored or they cannot be read. */
  public List<ManifestProblem> readProblems() {
    return readJson(stateDir.resolve(PROBLEMS_FILE), StoredProblems.class)
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

  // A reader, or the next start after a crash, sees the old file or the new one, never a torn one.
  private static boolean writeAtomically(Path target, byte[] content) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    if (sameContent(target, content)) {
      return false;
    }
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(dir);
    return true;
  }

  private static boolean sameContent(Path target, byte[] content) throws IOException {
    try {
      return Arrays.equals(Files.readAllBytes(target), content);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  // Makes the rename itself durable. Not every platform can open a directory; there the rename is
  // as durable as the file system makes it.
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot fsync directory {}: {}", dir, e.toString());
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
