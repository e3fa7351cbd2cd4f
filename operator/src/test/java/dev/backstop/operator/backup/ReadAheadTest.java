package dev.backstop.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

  private static byte[] data(int size) {
    byte[] d = new byte[size];
    new Random(size).nextBytes(d);
    return d;
  }

  @Test
  void deliversEveryByteInOrderAcrossBlocks() throws IOException {
    byte[] data = data(ReadAhead.BLOCK * 5 + 12_345);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new ReadAhead(new ByteArrayInputStream(data))) {
      byte[] buf = new byte[100_000];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(out.toByteArray()).isEqualTo(data);
  }

  @Test
  void anEmptySourceEndsAtOnce() throws IOException {
    try (InputStream in = new ReadAhead(new ByteArrayInputStream(new byte[0]))) {
      assertThat(in.read(new byte[10])).isEqualTo(-1);
    }
  }

  @Test
  void aReadErrorReachesTheReaderAfterTheBytesBeforeIt() throws IOException {
    byte[] before = data(ReadAhead.BLOCK * 2);
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("chunk 7 fails authentication");
      }
    };
    try (InputStream in = new ReadAhead(new SequenceInputStream(new ByteArrayInputStream(before), broken))) {
      assertThat(in.readNBytes(before.length)).isEqualTo(before);
      assertThatThrownBy(in::read).hasMessage("chunk 7 fails authentication");
    }
  }
}
