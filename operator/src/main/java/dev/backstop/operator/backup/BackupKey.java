package dev.backstop.operator.backup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256 key for backups at rest. Only its fingerprint may be shown; {@link #toString()}
 * never prints the key.
 */
public final class BackupKey {

  /** Bytes of the fingerprint written into every encrypted backup's header. */
  static final int FINGERPRINT_BYTES = 8;

  private final byte[] key;
  private final byte[] fingerprint;

  private BackupKey(byte[] key) {
    this.key = key;
    MessageDigest digest = BackupFiles.newDigest();
    // Domain-separated, so the fingerprint is not the digest of the key that anything else uses.
    digest.update("backstop backup key fingerprint\0".getBytes(StandardCharsets.US_ASCII));
    this.fingerprint = Arrays.copyOf(digest.digest(key), FINGERPRINT_BYTES);
  }

  /**
   * The key from a Secret's value: 32 random bytes in base64 ({@code openssl rand -base64 32}).
   *
   * @param where the field or Secret key it came from, for the message
   * @throws IllegalArgumentException naming {@code where}, never the value
   */
  public static BackupKey fromBase64(String value, String where) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(value == null ? "" : value.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " is not base64; create it with `openssl rand -base64 32`");
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException(where + " holds " + raw.length + " bytes, not the 32 of an AES-256 key;"
          + " create it with `openssl rand -base64 32`");
    }
    return new BackupKey(raw);
  }

  /** Hex fingerprint: names the key in headers and messages without revealing it. */
  public String fingerprint() {
    return HexFormat.of().formatHex(fingerprint);
  }

  byte[] fingerprintBytes() {
    return fingerprint.clone();
  }

  SecretKey secretKey() {
    return new SecretKeySpec(key, "AES");
  }

  @Override
  public String toString() {
    return "BackupKey[" + fingerprint() + "]";
  }
}
