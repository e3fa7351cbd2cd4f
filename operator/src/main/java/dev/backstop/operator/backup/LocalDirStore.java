package dev.backstop.operator.backup;

import dev.backstop.operator.state.AtomicFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Backups as files {@code <name>.gz} in a directory, written under a temporary name and renamed. */
public final class LocalDirStore implements BackupStore {

  private static final Logger LOG = LoggerFactory.getLogger(LocalDirStore.class);
  private static final int BUFFER = 64 * 1024;

  private final Path dir;

  /** The directory local backups of {@code settings} go to: spec.backup.storage, else the release's backups/. */
  public static Path directory(dev.backstop.operator.core.BackupSettings settings, Path releaseDir) {
    return settings.storage() != null ? Path.of(settings.storage())
        : new dev.backstop.operator.state.StateLayout.ReleaseDir(releaseDir).backups();
  }

  public LocalDirStore(Path dir) {
    this.dir = dir;
  }

  public Path file(String name) {
    return BackupFiles.file(dir, name);
  }

  @Override
  public Upload create(String name) throws IOException {
    Path file = file(name);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    // Dumps hold the database: owner-only, like the directory they live in.
    AtomicFile.createDirectories(dir, AtomicFile.Access.OWNER_ONLY);
    Files.deleteIfExists(partial);
    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(partial,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), AtomicFile.ownerOnlyFile())), BUFFER);
    return new Upload() {
      private boolean committed;

      @Override
      public OutputStream stream() {
        return out;
      }

      @Override
      public void commit(String sha256) throws IOException {
        // The bytes hashed are the bytes this process wrote to the file: nothing in between to check.
        AtomicFile.commit(partial, file);
        committed = true;
      }

      @Override
      public void close() {
        try {
          out.close();
          if (!committed) {
            Files.deleteIfExists(partial);
          }
        } catch (IOException e) {
          LOG.warn("cannot discard {}: {}", partial, e.getMessage());
        }
      }
    };
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(file(name));
  }

  @Override
  public void delete(List<String> names) throws IOException {
    for (String name : names) {
      Files.deleteIfExists(file(name));
    }
  }

  @Override
  public List<String> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(BackupFiles.SUFFIX))
          .map(n -> n.substring(0, n.length() - BackupFiles.SUFFIX.length())).sorted().toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public String describe(String name) {
    return file(name).toString();
  }
}
