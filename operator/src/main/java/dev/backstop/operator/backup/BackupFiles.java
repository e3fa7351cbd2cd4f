package dev.backstop.operator.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Backup files in a storage directory: one gzip file per backup, named after it. */
public final class BackupFiles {

  /** Suffix of a complete backup file. */
  public static final String SUFFIX = ".gz";

  private BackupFiles() {}

  public static Path file(Path storage, String name) {
    return storage.resolve(name + SUFFIX);
  }

  /** The hex SHA-256 of a file, read in a stream. */
  public static String sha256(Path file) throws IOException {
    return BackupFormat.sha256(Files.newInputStream(file));
  }

  /**
   * Checks that {@code file} has checksum {@code sha256} (unless null) and decompresses completely.
   *
   * @return the size of the decompressed dump in bytes
   * @throws IOException with a message for people when it does not
   */
  public static long verify(Path file, String sha256) throws IOException {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX)) {
      throw new IOException(file + " is not a backup file (" + SUFFIX + ")");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException("backup file " + file + " does not exist");
    }
    return BackupFormat.verify(new LocalDirStore(file.getParent()), name.substring(0, name.length() - SUFFIX.length()),
        sha256, null);
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
