package dev.backstop.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where backups are kept: a local directory or a prefix of an S3 bucket. Every write, read and
 * deletion of a stored backup goes through this port, so retention and restores do not care where.
 */
public interface BackupStore extends AutoCloseable {

  /** A backup being written: invisible under its name until {@link #commit()}; closing without it discards it. */
  interface Upload extends AutoCloseable {

    /** Where the stored bytes (compressed, perhaps encrypted) are written, in order. */
    OutputStream stream();

    /**
     * Makes the backup visible under its name; the stream must be closed first.
     *
     * @param sha256 the hex SHA-256 of what was written, which a remote store checks against what it holds
     */
    void commit(String sha256) throws IOException;

    /** Discards an upload that was not committed. */
    @Override
    void close();
  }

  /** Starts writing backup {@code name}. */
  Upload create(String name) throws IOException;

  /**
   * Reads backup {@code name}'s stored bytes.
   *
   * @throws java.nio.file.NoSuchFileException when there is no such backup
   */
  InputStream open(String name) throws IOException;

  /** Deletes the named backups; a missing one is fine. */
  void delete(List<String> names) throws IOException;

  /** The names of the complete backups stored, sorted. */
  List<String> list() throws IOException;

  /** Where backup {@code name} is, for people: a path or an s3:// URL. */
  String describe(String name);

  /** Releases the store's connections. */
  @Override
  default void close() {}
}
