package dev.backstop.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few blocks ahead of the reader: a restore's download,
 * decryption and decompression then run while the previous block is still being written into
 * the restore command's pipe, which otherwise stalls them whenever it is full.
 */
final class ReadAhead extends InputStream {

  static final int BLOCK = 1 << 20;
  // Blocks read but not yet taken: bounds memory to a few MB.
  private static final int AHEAD = 4;
  private static final Block END = new Block(new byte[0], -1, null);

  private record Block(byte[] data, int length, IOException error) {}

  private final InputStream source;
  private final BlockingQueue<Block> ready = new ArrayBlockingQueue<>(AHEAD);
  private final Thread reader;
  private Block current;
  private int pos;
  private volatile boolean closed;

  ReadAhead(InputStream source) {
    this.source = source;
    this.reader = new Thread(this::fill, "restore-read-ahead");
    reader.setDaemon(true);
    reader.start();
  }

  private void fill() {
    try {
      while (!closed) {
        byte[] data = new byte[BLOCK];
        int n = source.readNBytes(data, 0, BLOCK);
        if (n == 0) {
          ready.put(END);
          return;
        }
        ready.put(new Block(data, n, null));
      }
    } catch (IOException e) {
      // Handed to the reader, which fails the restore with it.
      offer(new Block(null, -1, e));
    } catch (InterruptedException e) {
      // close() stops the thread: nobody reads on.
      Thread.currentThread().interrupt();
    }
  }

  private void offer(Block block) {
    try {
      ready.put(block);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (current == END) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    if (current == null || pos == current.length()) {
      try {
        current = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading the backup");
      }
      pos = 0;
      if (current.error() != null) {
        IOException e = current.error();
        current = END;
        throw e;
      }
      if (current == END) {
        return -1;
      }
    }
    int n = Math.min(len, current.length() - pos);
    System.arraycopy(current.data(), pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    reader.interrupt();
    source.close();
  }
}
