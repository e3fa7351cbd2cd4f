package dev.backstop.operator.backup;

import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Backup files in a storage directory: one gzip file per backup, named after it. */
public final class BackupFiles {

  /** Suffix of a complete backup file. */
  public static final String SUFFIX = ".gz";

  private BackupFiles() {}

  /** spec.backup.storage, or the default: the release's own state directory's backups/. */
  public static Path storage(dev.backstop.operator.core.BackupSettings settings, Path releaseDir) {
    return settings.storage() != null ? Path.of(settings.storage()) : new StateLayout.ReleaseDir(releaseDir).backups();
  }

  public static Path file(Path storage, String name) {
    return storage.resolve(name + SUFFIX);
  }

  /** The hex SHA-256 of a file, read in a stream. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Checks that {@code file} has checksum {@code sha256} and decompresses completely.
   *
   * @return the size of the decompressed dump in bytes
   * @throws IOException with a message for people when it does not
   */
  public static long verify(Path file, String sha256) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("backup file " + file + " does not exist");
    }
    String actual = sha256(file);
    if (sha256 != null && !actual.equalsIgnoreCase(sha256)) {
      throw new IOException("the SHA-256 of " + file.getFileName() + " is " + actual
          + " but status.backups records " + sha256 + ", so the file was changed or damaged");
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 64 * 1024)) {
      return in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new IOException(file.getFileName() + " does not decompress: " + e.getMessage(), e);
    }
  }

  /** Deletes the files of the named backups; a missing file is fine. */
  public static void delete(Path storage, List<String> names) throws IOException {
    for (String name : names) {
      Files.deleteIfExists(file(storage, name));
    }
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
