package dev.backstop.operator.backup;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The stored form of a dump: compressed ({@link Compression}: zstd, or gzip as older backups), then (with a key) {@link BackupCipher} encryption. The SHA-256
 * in status is of these stored bytes, so it is checked without the key.
 */
public final class BackupFormat {

  private static final int BUFFER = 64 * 1024;
  private static final int HASH_BUFFER = 1024 * 1024;

  private BackupFormat() {}

  /** Counts and hashes the stored bytes written through it. */
  static final class Stored extends FilterOutputStream {
    private final MessageDigest digest = BackupFiles.newDigest();
    private long bytes;

    Stored(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      digest.update(b, off, len);
      bytes += len;
    }

    long bytes() {
      return bytes;
    }

    String sha256() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** Where the plain dump is written: compressed, encrypted when {@code key} is set, into {@code stored}. */
  static OutputStream seal(OutputStream stored, BackupKey key, Compression compression) throws IOException {
    return compression.compress(key == null ? stored : BackupCipher.encrypt(stored, key, new SecureRandom()));
  }

  /**
   * The plain dump from a stored backup, in whichever {@link Compression} it was written.
   *
   * @throws IOException when it is encrypted and {@code key} is missing or another
   */
  static InputStream open(InputStream stored, BackupKey key, String what) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stored, BUFFER);
    in.mark(BackupCipher.HEADER);
    byte[] head = in.readNBytes(BackupCipher.HEADER);
    in.reset();
    if (BackupCipher.encrypted(head, head.length)) {
      if (key == null) {
        throw new BackupCipher.WrongKeyException(what + " is encrypted (key fingerprint "
            + (head.length == BackupCipher.HEADER ? BackupCipher.fingerprint(head) : "unknown")
            + ") but spec.backup.encryption is not set; set it to the key the backup was written with");
      }
      return Compression.decompress(BackupCipher.decrypt(in, key, what), what);
    }
    return Compression.decompress(in, what);
  }

  /** The hex SHA-256 of a stream, read to its end and closed. */
  public static String sha256(InputStream stored) throws IOException {
    MessageDigest digest = BackupFiles.newDigest();
    // Large reads: through transferTo's small buffer the calls, not the hashing, took the time.
    byte[] buf = new byte[HASH_BUFFER];
    try (InputStream in = stored) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Why backup {@code name} must not be restored (missing, another key, or a SHA-256 other than
   * {@code sha256}), or null when it may. Reads the stored bytes once, before any restore starts.
   */
  static String refusal(BackupStore store, String name, String sha256, BackupKey key) throws IOException {
    String where = store.describe(name);
    try (InputStream first = store.open(name)) {
      // The key is checked first: it needs the header only, and a wrong key is the likelier mistake.
      open(first, key, where).close();
    } catch (NoSuchFileException e) {
      return "backup " + where + " does not exist, so nothing was restored";
    } catch (BackupCipher.WrongKeyException e) {
      return e.getMessage() + "; nothing was restored";
    } catch (IOException e) {
      // No codec's header at its start: the checksum below says whether it was changed.
    }
    return checksumRefusal(store, name, sha256);
  }

  /** Why the stored bytes of backup {@code name} do not match {@code sha256}, or null when they do. */
  public static String checksumRefusal(BackupStore store, String name, String sha256) throws IOException {
    String actual;
    try {
      actual = sha256(store.open(name));
    } catch (NoSuchFileException e) {
      return "backup " + store.describe(name) + " does not exist, so nothing was restored";
    }
    if (sha256 == null || !actual.equalsIgnoreCase(sha256)) {
      return "the SHA-256 of " + store.describe(name) + " is " + actual + " but status.backups records " + sha256
          + ", so the backup was changed or damaged and is not restored";
    }
    return null;
  }

  /**
   * Checks backup {@code name} against {@code sha256}, decrypts and decompresses it completely.
   *
   * @return the size of the plain dump in bytes
   * @throws IOException with a message for people when any of that fails
   */
  public static long verify(BackupStore store, String name, String sha256, BackupKey key) throws IOException {
    // Without a recorded checksum (a hand-made file) the decompression alone is checked.
    String refused = sha256 == null ? null : refusal(store, name, sha256, key);
    if (refused != null) {
      throw new IOException(refused);
    }
    try (InputStream in = open(store.open(name), key, store.describe(name))) {
      return in.transferTo(OutputStream.nullOutputStream());
    } catch (BackupCipher.WrongKeyException | NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(store.describe(name) + " does not decompress: " + e.getMessage(), e);
    }
  }
}
