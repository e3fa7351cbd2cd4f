package dev.backstop.operator.backup;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.backstop.operator.api.v1alpha1.BackupCompression;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;

/**
 * How a dump is compressed before it is stored (and encrypted). Each codec's stream starts with
 * its own magic, so a stored backup says which one wrote it: backups written before zstd (gzip)
 * restore as they always did, and a file can still be read by hand with gunzip or zstd -d.
 */
public enum Compression {
  /** zstd at a low level: a fraction of deflate's CPU per byte, which a dump on two cores needs. */
  ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
  /** gzip (deflate at its fastest level), as every backup before zstd was written. */
  GZIP(new byte[] {0x1f, (byte) 0x8b}),
  /** Stored as dumped, behind a header of Backstop's own: for dumps that are compressed already. */
  NONE(new byte[] {'B', 'K', 'S', 'N', 1});

  /** The default for new backups. */
  public static final Compression DEFAULT = ZSTD;

  // zstd level 1 compresses a text dump nearly as well as gzip -1, several times faster.
  private static final int ZSTD_LEVEL = 1;
  // One worker compresses on its own thread, so the dump's reader never waits on the compressor.
  private static final int ZSTD_WORKERS = 1;
  private static final int BUFFER = 256 * 1024;
  private static final int LONGEST_MAGIC = 5;

  private final byte[] magic;

  Compression(byte[] magic) {
    this.magic = magic;
  }

  /** Where the plain dump is written to land compressed in {@code out}; closing it closes {@code out}. */
  OutputStream compress(OutputStream out) throws IOException {
    switch (this) {
      case ZSTD:
        try {
          ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, ZSTD_LEVEL);
          // A checksum of the content in the frame, as gzip's CRC-32: a decompression that ends is whole.
          z.setChecksum(true);
          z.setWorkers(ZSTD_WORKERS);
          return z;
        } catch (LinkageError e) {
          throw unavailable(e, "set spec.backup.compression: gzip");
        }
      case GZIP:
        return new ParallelGzip(out, Deflater.BEST_SPEED);
      default:
        out.write(magic);
        return out;
    }
  }

  /**
   * The plain dump from a (decrypted) stored stream, whose first bytes name its codec.
   *
   * @param what names the backup in messages
   */
  static InputStream decompress(InputStream stored, String what) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stored, BUFFER);
    in.mark(LONGEST_MAGIC);
    byte[] head = in.readNBytes(LONGEST_MAGIC);
    in.reset();
    Compression codec = of(head);
    if (codec == null) {
      throw new IOException(what + " is not a backup Backstop wrote: it starts with neither gzip's, zstd's"
          + " nor an uncompressed backup's header");
    }
    switch (codec) {
      case ZSTD:
        try {
          return new ZstdInputStreamNoFinalizer(in);
        } catch (LinkageError e) {
          throw unavailable(e, what + " is zstd-compressed and cannot be read here");
        }
      case GZIP:
        return new GZIPInputStream(in, BUFFER);
      default:
        in.skipNBytes(codec.magic.length);
        return in;
    }
  }

  // zstd-jni unpacks its native library into java.io.tmpdir: a host without one for its platform,
  // or without a writable tmpdir, must get a message, not an Error that kills the backup thread.
  private static IOException unavailable(LinkageError e, String then) {
    return new IOException("zstd's native library cannot be loaded (" + e.getMessage() + "); " + then, e);
  }

  /** The codec spec.backup.compression names. */
  public static Compression of(BackupCompression setting) {
    return switch (setting) {
      case zstd -> ZSTD;
      case gzip -> GZIP;
      case none -> NONE;
    };
  }

  /** The codec whose magic {@code head} starts with, or null. */
  static Compression of(byte[] head) {
    for (Compression c : values()) {
      if (head.length >= c.magic.length && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
        return c;
      }
    }
    return null;
  }
}
