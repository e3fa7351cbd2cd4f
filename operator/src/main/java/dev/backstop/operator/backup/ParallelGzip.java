package dev.backstop.operator.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream (one member, one deflate stream) whose blocks are deflated on worker threads, as
 * pigz does: each block is primed with the 32 KB before it and ends on a sync flush, so the pieces
 * join into one stream that any gunzip reads. Deflate is the slowest stage of a dump by far; one
 * thread held dumps below the speed of the database writing them.
 */
final class ParallelGzip extends FilterOutputStream {

  static final int BLOCK = 1 << 20;
  private static final int WINDOW = 32 * 1024;
  private static final int THREADS = 2;
  // Blocks in flight: bounds memory to a few MB however fast the dump arrives.
  private static final int AHEAD = 2 * THREADS;

  private final int level;
  private final ExecutorService workers;
  private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] block = new byte[BLOCK];
  private int filled;
  private byte[] dictionary;
  private long size;
  private boolean closed;

  ParallelGzip(OutputStream out, int level) throws IOException {
    super(out);
    this.level = level;
    // Magic, deflate, no flags, no mtime, no extra flags, OS unknown; before any thread exists.
    out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
    this.workers = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "dump-deflate");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("the gzip stream is closed");
    }
    crc.update(b, off, len);
    size += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK - filled);
      System.arraycopy(b, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK) {
        submit(false);
      }
    }
  }

  /** Writes what is deflated so far; the block being filled stays until it is full or closed. */
  @Override
  public void flush() throws IOException {
    while (!pending.isEmpty()) {
      writeNext();
    }
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      submit(true);
      while (!pending.isEmpty()) {
        writeNext();
      }
      byte[] trailer = new byte[8];
      int c = (int) crc.getValue();
      int s = (int) size; // ISIZE is the length modulo 2^32
      for (int i = 0; i < 4; i++) {
        trailer[i] = (byte) (c >>> (8 * i));
        trailer[4 + i] = (byte) (s >>> (8 * i));
      }
      out.write(trailer);
    } finally {
      workers.shutdownNow();
      out.close();
    }
  }

  private void submit(boolean last) throws IOException {
    byte[] input = block;
    int length = filled;
    byte[] primer = dictionary;
    if (!last) {
      // Every block but the last is full.
      dictionary = Arrays.copyOfRange(input, BLOCK - WINDOW, BLOCK);
    }
    pending.add(workers.submit(() -> deflate(input, length, primer, last)));
    block = new byte[BLOCK];
    filled = 0;
    while (pending.size() > AHEAD) {
      writeNext();
    }
  }

  private void writeNext() throws IOException {
    try {
      out.write(pending.remove().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing the dump");
    } catch (ExecutionException e) {
      throw new IOException("cannot compress the dump: " + e.getCause(), e.getCause());
    }
  }

  private byte[] deflate(byte[] input, int length, byte[] primer, boolean last) {
    Deflater deflater = new Deflater(level, true);
    try {
      if (primer != null) {
        deflater.setDictionary(primer);
      }
      deflater.setInput(input, 0, length);
      if (last) {
        deflater.finish();
      }
      java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream(length / 2 + 64);
      byte[] buf = new byte[64 * 1024];
      while (true) {
        int n = deflater.deflate(buf, 0, buf.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        compressed.write(buf, 0, n);
        // A sync flush is complete once it leaves room in the buffer; finish once finished().
        if (last ? deflater.finished() : n < buf.length) {
          return compressed.toByteArray();
        }
      }
    } finally {
      deflater.end();
    }
  }
}
