package dev.backstop.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {

  private static final BackupKey KEY = BackupKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]), "k");

  // Random hex, like the benchmark's dump: compresses to about half, in many codec blocks.
  private static byte[] dump(int size) {
    byte[] raw = new byte[size / 2];
    new Random(size).nextBytes(raw);
    return HexFormat.of().formatHex(raw).getBytes();
  }

  private static byte[] seal(byte[] plain, BackupKey key, Compression compression) throws IOException {
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = BackupFormat.seal(stored, key, compression)) {
      // Odd write sizes: codecs must not care how the dump arrives.
      for (int off = 0; off < plain.length; off += 77_777) {
        out.write(plain, off, Math.min(77_777, plain.length - off));
      }
    }
    return stored.toByteArray();
  }

  private static byte[] open(byte[] stored, BackupKey key) throws IOException {
    try (InputStream in = BackupFormat.open(new ByteArrayInputStream(stored), key, "b1")) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everyCodecRoundTripsPlainAndEncryptedAndNamesItselfInItsFirstBytes(Compression codec) throws IOException {
    byte[] plain = dump(3_000_000);
    byte[] stored = seal(plain, null, codec);
    assertThat(Compression.of(Arrays.copyOf(stored, 8))).isEqualTo(codec);
    assertThat(open(stored, null)).isEqualTo(plain);
    assertThat(open(seal(plain, KEY, codec), KEY)).isEqualTo(plain);
    if (codec == Compression.NONE) {
      assertThat(stored.length).isEqualTo(plain.length + 5);
    } else {
      assertThat(stored.length).as("hex compresses to about half").isLessThan(plain.length * 6 / 10);
    }
  }

  @Test
  void gzipBackupsWrittenBeforeZstdStillOpen() throws IOException {
    byte[] plain = dump(200_000);
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(old)) {
      gz.write(plain);
    }
    assertThat(open(old.toByteArray(), null)).isEqualTo(plain);
  }

  @Test
  void theDefaultIsZstd() throws IOException {
    assertThat(Compression.DEFAULT).isEqualTo(Compression.ZSTD);
    assertThat(seal(dump(1000), null, Compression.DEFAULT)).startsWith(0x28, 0xb5, 0x2f, 0xfd);
  }

  @Test
  void aStreamWithNoCodecsHeaderIsRefused() {
    assertThatThrownBy(() -> open("plain SQL, never compressed".getBytes(), null))
        .hasMessageContaining("b1 is not a backup Backstop wrote");
  }

  @Test
  void aTruncatedZstdBackupFailsToOpenCompletely() throws IOException {
    byte[] stored = seal(dump(1_000_000), null, Compression.ZSTD);
    byte[] cut = Arrays.copyOf(stored, stored.length - 100);
    assertThatThrownBy(() -> open(cut, null)).isInstanceOf(IOException.class);
  }
}
