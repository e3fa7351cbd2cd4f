package dev.backstop.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupCipherTest {

  private static final BackupKey KEY = key(1);
  private static final BackupKey OTHER = key(2);

  private static BackupKey key(int seed) {
    byte[] raw = new byte[32];
    new Random(seed).nextBytes(raw);
    return BackupKey.fromBase64(Base64.getEncoder().encodeToString(raw), "test key");
  }

  private static byte[] plain(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  private static byte[] encrypt(byte[] plain, int writeSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = BackupCipher.encrypt(out, KEY, new SecureRandom())) {
      for (int off = 0; off < plain.length; off += writeSize) {
        enc.write(plain, off, Math.min(writeSize, plain.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] decrypt(byte[] sealed, BackupKey key) throws IOException {
    try (InputStream in = BackupCipher.decrypt(new ByteArrayInputStream(sealed), key, "backup b1")) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BackupCipher.CHUNK - 1, BackupCipher.CHUNK, BackupCipher.CHUNK + 1,
      3 * BackupCipher.CHUNK, 3 * BackupCipher.CHUNK + 17})
  void roundTripsAtAndAroundChunkBoundaries(int size) throws IOException {
    byte[] data = plain(size);
    byte[] sealed = encrypt(data, 4096 + 3);
    assertThat(decrypt(sealed, KEY)).isEqualTo(data);
    int chunks = Math.max(1, (size + BackupCipher.CHUNK - 1) / BackupCipher.CHUNK);
    assertThat(sealed).hasSize(BackupCipher.HEADER + size + chunks * (4 + 16));
  }

  @Test
  void theHeaderNamesTheKeyByFingerprintAndHoldsNoKeyMaterial() throws IOException {
    byte[] sealed = encrypt(plain(100), 100);
    assertThat(BackupCipher.encrypted(sealed, sealed.length)).isTrue();
    assertThat(BackupCipher.fingerprint(Arrays.copyOf(sealed, BackupCipher.HEADER))).isEqualTo(KEY.fingerprint());
    assertThat(KEY.toString()).isEqualTo("BackupKey[" + KEY.fingerprint() + "]");
    assertThat(KEY.fingerprint()).hasSize(16).isNotEqualTo(OTHER.fingerprint());
  }

  @Test
  void twoEncryptionsOfTheSameDataDiffer() throws IOException {
    byte[] data = plain(1000);
    assertThat(encrypt(data, 1000)).isNotEqualTo(encrypt(data, 1000));
  }

  @Test
  void anotherKeyIsRefusedNamingBothFingerprints() throws IOException {
    byte[] sealed = encrypt(plain(1000), 1000);
    assertThatThrownBy(() -> decrypt(sealed, OTHER))
        .isInstanceOf(BackupCipher.WrongKeyException.class)
        .hasMessageContaining("backup b1 was encrypted with the key of fingerprint " + KEY.fingerprint())
        .hasMessageContaining(OTHER.fingerprint());
  }

  @Test
  void aFlippedBitFailsAuthentication() throws IOException {
    byte[] sealed = encrypt(plain(3 * BackupCipher.CHUNK), 8192);
    sealed[BackupCipher.HEADER + 4 + BackupCipher.CHUNK + 16 + 4 + 100] ^= 1;
    assertThatThrownBy(() -> decrypt(sealed, KEY)).hasMessageContaining("encrypted chunk 1 fails authentication");
  }

  @Test
  void truncationAtAChunkBoundaryIsDetected() throws IOException {
    byte[] sealed = encrypt(plain(3 * BackupCipher.CHUNK + 5), 8192);
    byte[] cut = Arrays.copyOf(sealed, BackupCipher.HEADER + 2 * (4 + BackupCipher.CHUNK + 16));
    assertThatThrownBy(() -> decrypt(cut, KEY)).hasMessageContaining("truncated");
  }

  @Test
  void aNonLastChunkPassedOffAsTheLastFailsAuthentication() throws IOException {
    byte[] sealed = encrypt(plain(2 * BackupCipher.CHUNK + 5), 8192);
    byte[] cut = Arrays.copyOf(sealed, BackupCipher.HEADER + 4 + BackupCipher.CHUNK + 16);
    cut[BackupCipher.HEADER] |= (byte) 0x80;
    assertThatThrownBy(() -> decrypt(cut, KEY)).hasMessageContaining("encrypted chunk 0 fails authentication");
  }

  @Test
  void swappedChunksFailAuthentication() throws IOException {
    byte[] sealed = encrypt(plain(3 * BackupCipher.CHUNK), 8192);
    int record = 4 + BackupCipher.CHUNK + 16;
    byte[] swapped = sealed.clone();
    System.arraycopy(sealed, BackupCipher.HEADER, swapped, BackupCipher.HEADER + record, record);
    System.arraycopy(sealed, BackupCipher.HEADER + record, swapped, BackupCipher.HEADER, record);
    assertThatThrownBy(() -> decrypt(swapped, KEY)).hasMessageContaining("encrypted chunk 0 fails authentication");
  }

  @Test
  void keysThatAreNotThirtyTwoBase64BytesAreRefusedWithoutShowingThem() {
    assertThatThrownBy(() -> BackupKey.fromBase64("c2hvcnQ=", "key 'key' of Secret 'k'"))
        .hasMessage("key 'key' of Secret 'k' holds 5 bytes, not the 32 of an AES-256 key;"
            + " create it with `openssl rand -base64 32`");
    assertThatThrownBy(() -> BackupKey.fromBase64("not base64!", "key 'key' of Secret 'k'"))
        .hasMessageNotContaining("not base64!").hasMessageContaining("is not base64");
  }

  @Test
  void theFormatStoresCompressedThenCipherAndOpensOnlyWithTheKey() throws IOException {
    byte[] data = "select 1;\n".repeat(10_000).getBytes();
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = BackupFormat.seal(stored, KEY, Compression.DEFAULT)) {
      out.write(data);
    }
    byte[] bytes = stored.toByteArray();
    assertThat(bytes.length).isLessThan(data.length / 10);
    try (InputStream in = BackupFormat.open(new ByteArrayInputStream(bytes), KEY, "b1")) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThatThrownBy(() -> BackupFormat.open(new ByteArrayInputStream(bytes), null, "b1"))
        .hasMessageContaining("b1 is encrypted (key fingerprint " + KEY.fingerprint() + ")")
        .hasMessageContaining("spec.backup.encryption is not set");
  }
}
