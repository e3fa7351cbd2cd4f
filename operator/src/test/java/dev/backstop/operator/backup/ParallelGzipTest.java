package dev.backstop.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipTest {

  private static final int BLOCK = ParallelGzip.BLOCK;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 12345})
  void randomTextComesBackWhole(int size) throws IOException {
    byte[] plain = randomText(size);
    assertThat(gunzip(gzip(plain, 8191))).isEqualTo(plain);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 70_000, 3 * BLOCK})
  void repeatedRowsComeBackWholeAndStaySmall(int writeSize) throws IOException {
    // Rows repeat across block edges, so the primed dictionary is what matches them there.
    StringBuilder rows = new StringBuilder();
    for (int i = 0; rows.length() < 3 * BLOCK + 777; i++) {
      rows.append("INSERT INTO orders VALUES (").append(i % 97).append(", 'pending', 'a fairly long note');\n");
    }
    byte[] plain = rows.toString().getBytes(StandardCharsets.UTF_8);
    byte[] packed = gzip(plain, writeSize);
    assertThat(gunzip(packed)).isEqualTo(plain);
    assertThat(packed.length).as("compressed like one gzip stream").isLessThan(plain.length / 20);
  }

  private static byte[] randomText(int size) {
    Random random = new Random(size);
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i % 100 == 99 ? '\n' : "0123456789abcdef".charAt(random.nextInt(16)));
    }
    return data;
  }

  private static byte[] gzip(byte[] plain, int writeSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new ParallelGzip(out, Deflater.BEST_SPEED)) {
      for (int off = 0; off < plain.length; off += writeSize) {
        gz.write(plain, off, Math.min(writeSize, plain.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] packed) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(packed))) {
      return in.readAllBytes();
    }
  }
}
