package dev.backstop.operator.backup;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Streaming AES-256-GCM for backups at rest, one chunk at a time so nothing is held whole.
 *
 * <p>Layout: a 20-byte header ({@code BKSE}, version 1, the key's 8-byte fingerprint, a random
 * 7-byte nonce prefix), then records of a 4-byte length (high bit set on the last record) and the
 * chunk's ciphertext with its 16-byte tag. A chunk's nonce is the prefix, its 4-byte index and a
 * last-chunk byte, and the header is every chunk's associated data, so reordered, dropped,
 * truncated or re-headed chunks all fail authentication.
 */
public final class BackupCipher {

  /** Plaintext bytes per chunk. */
  static final int CHUNK = 64 * 1024;

  static final int HEADER = 20;
  private static final byte[] MAGIC = {'B', 'K', 'S', 'E'};
  private static final byte VERSION = 1;
  private static final int PREFIX = 7;
  private static final int TAG_BITS = 128;
  private static final int TAG = TAG_BITS / 8;
  private static final int LAST = 0x8000_0000;

  private BackupCipher() {}

  /** True when {@code head} (the first bytes of a stored backup) starts an encrypted one. */
  static boolean encrypted(byte[] head, int length) {
    return length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /** The fingerprint of the key a stored backup's header names. */
  static String fingerprint(byte[] header) {
    return HexFormat.of().formatHex(header, MAGIC.length + 1, MAGIC.length + 1 + BackupKey.FINGERPRINT_BYTES);
  }

  /** Encrypts what is written into {@code out}; closing it writes the last chunk and closes {@code out}. */
  public static OutputStream encrypt(OutputStream out, BackupKey key, SecureRandom random) throws IOException {
    byte[] header = new byte[HEADER];
    System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
    header[MAGIC.length] = VERSION;
    System.arraycopy(key.fingerprintBytes(), 0, header, MAGIC.length + 1, BackupKey.FINGERPRINT_BYTES);
    byte[] prefix = new byte[PREFIX];
    random.nextBytes(prefix);
    System.arraycopy(prefix, 0, header, HEADER - PREFIX, PREFIX);
    out.write(header);
    return new Sealing(out, key, header);
  }

  /**
   * Decrypts {@code in}, which must start with the header.
   *
   * @param what names the backup in messages
   * @throws IOException when the backup was encrypted with another key, now or on any later read
   *     that finds a chunk damaged, altered, missing or truncated
   */
  public static InputStream decrypt(InputStream in, BackupKey key, String what) throws IOException {
    byte[] header = new DataInputStream(in).readNBytes(HEADER);
    if (header.length < HEADER || !encrypted(header, header.length) || header[MAGIC.length] != VERSION) {
      throw new IOException(what + " is not a backup encrypted by Backstop (unknown header)");
    }
    String found = fingerprint(header);
    if (!found.equals(key.fingerprint())) {
      throw new WrongKeyException(what + " was encrypted with the key of fingerprint " + found
          + ", but spec.backup.encryption gives the key of fingerprint " + key.fingerprint()
          + "; restore it with the key it was written with");
    }
    return new Opening(in, key, header, what);
  }

  /** A backup encrypted with another key than the configured one. */
  public static final class WrongKeyException extends IOException {
    WrongKeyException(String message) {
      super(message);
    }
  }

  private static Cipher cipher(int mode, BackupKey key, byte[] header, long index, boolean last) throws IOException {
    if (index > 0xFFFF_FFFFL) {
      throw new IOException("backup too large for one encryption stream");
    }
    byte[] nonce = ByteBuffer.allocate(12).put(header, HEADER - PREFIX, PREFIX).putInt((int) index)
        .put((byte) (last ? 1 : 0)).array();
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, key.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(header);
      return c;
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  private static final class Sealing extends FilterOutputStream {
    private final BackupKey key;
    private final byte[] header;
    private final byte[] plain = new byte[CHUNK];
    private final byte[] sealed = new byte[4 + CHUNK + TAG];
    private int filled;
    private long index;
    private boolean closed;

    Sealing(OutputStream out, BackupKey key, byte[] header) {
      super(out);
      this.key = key;
      this.header = header;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        // A full chunk is written only once more data follows: the last chunk must be marked.
        if (filled == CHUNK) {
          seal(false);
        }
        int n = Math.min(len, CHUNK - filled);
        System.arraycopy(b, off, plain, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    private void seal(boolean last) throws IOException {
      try {
        int n = cipher(Cipher.ENCRYPT_MODE, key, header, index++, last).doFinal(plain, 0, filled, sealed, 4);
        ByteBuffer.wrap(sealed, 0, 4).putInt(last ? n | LAST : n);
        out.write(sealed, 0, 4 + n);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot encrypt the backup: " + e.getMessage(), e);
      }
      filled = 0;
    }

    @Override
    public void flush() {
      // Chunks are sealed whole; flushing part of one would mark it as a chunk of its own.
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        seal(true);
        out.flush();
      } finally {
        out.close();
      }
    }
  }

  private static final class Opening extends InputStream {
    private final DataInputStream in;
    private final BackupKey key;
    private final byte[] header;
    private final String what;
    private final byte[] sealed = new byte[CHUNK + TAG];
    private final byte[] plain = new byte[CHUNK];
    private int pos;
    private int limit;
    private long index;
    private boolean last;

    Opening(InputStream in, BackupKey key, byte[] header, String what) {
      this.in = new DataInputStream(in);
      this.key = key;
      this.header = header;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (pos == limit) {
        if (last) {
          return -1;
        }
        next();
      }
      int n = Math.min(len, limit - pos);
      System.arraycopy(plain, pos, b, off, n);
      pos += n;
      return n;
    }

    private void next() throws IOException {
      int word;
      try {
        word = in.readInt();
      } catch (EOFException e) {
        throw new IOException(what + " is truncated: its last encrypted chunk is missing");
      }
      boolean isLast = (word & LAST) != 0;
      int length = word & ~LAST;
      if (length < TAG || length > sealed.length) {
        throw new IOException(what + " is damaged: chunk " + index + " has an impossible length");
      }
      try {
        in.readFully(sealed, 0, length);
      } catch (EOFException e) {
        throw new IOException(what + " is truncated inside encrypted chunk " + index);
      }
      try {
        limit = cipher(Cipher.DECRYPT_MODE, key, header, index, isLast).doFinal(sealed, 0, length, plain, 0);
      } catch (AEADBadTagException e) {
        throw new IOException(what + " is damaged or was altered: encrypted chunk " + index
            + " fails authentication");
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot decrypt " + what + ": " + e.getMessage(), e);
      }
      pos = 0;
      index++;
      last = isLast;
      if (last && in.read() != -1) {
        throw new IOException(what + " is damaged: data follows its last encrypted chunk");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
