package dev.backstop.operator.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a reader, or the next start after a crash, sees the old content or the
 * new, never a torn file: temp file in the same directory, fsync, atomic rename, fsync the
 * directory.
 */
public final class AtomicFile {

  /** Who may read what the writer creates. */
  public enum Access {
    /** Files 0600 and new directories 0700: state and secrets. */
    OWNER_ONLY,
    /** Files 0644, directories as the umask gives: files other tools read, such as overrides. */
    READABLE
  }

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE_0600 = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> FILE_0644 = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIR_0700 = PosixFilePermissions.fromString("rwx------");

  private AtomicFile() {}

  /**
   * Writes {@code content} to {@code target}, creating missing parent directories.
   *
   * @throws IOException when any step fails; the target then still holds its old content
   */
  public static void write(Path target, byte[] content, Access access) throws IOException {
    Path dir = parent(target);
    createDirectories(dir, access);
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", fileAttributes(access));
    try {
      if (access == Access.READABLE && POSIX) {
        // createTempFile makes 0600 files; a readable file is widened explicitly.
        Files.setPosixFilePermissions(temp, FILE_0644);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      commit(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Makes a fully written {@code temp} (in the target's directory) the {@code target}: fsync it,
   * rename it over the target, fsync the directory. For content streamed into a file of its own.
   */
  public static void commit(Path temp, Path target) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(parent(target));
  }

  /** Creates {@code dir} and its missing parents, 0700 when {@code access} is owner-only. */
  public static void createDirectories(Path dir, Access access) throws IOException {
    if (access == Access.OWNER_ONLY && POSIX) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_0700));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Attributes that create a file 0600 (none where the file system has no POSIX modes). */
  public static FileAttribute<?>[] ownerOnlyFile() {
    return fileAttributes(Access.OWNER_ONLY);
  }

  private static FileAttribute<?>[] fileAttributes(Access access) {
    // createTempFile makes 0600 files on POSIX already; saying so keeps that a decision, not luck.
    return access == Access.OWNER_ONLY && POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_0600)}
        : new FileAttribute<?>[0];
  }

  private static Path parent(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IllegalArgumentException(target + " has no parent directory");
    }
    return dir;
  }

  // Makes the rename itself durable. Some platforms (Windows) refuse to open a directory; there the
  // rename is as durable as the file system makes it. On Linux this works, so a failure there is
  // a real one and is reported.
  private static void syncDirectory(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      if (POSIX) {
        throw e instanceof IOException io ? io : new IOException("cannot open " + dir + " to fsync it", e);
      }
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }
}
