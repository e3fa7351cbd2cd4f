package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.core.StackEnv;
import java.util.Map;

/**
 * The secret values spec.backup names, as a driver read them from its Secrets.
 *
 * @param accessKeyId S3 credentials from spec.backup.s3.secretRef, or null for Backstop's environment
 * @param encryptionKey the base64 key from spec.backup.encryption.secretRef, or null for none
 * @param databasePassword the password from spec.backup.passwordSecretRef, or null for none
 */
public record BackupSecrets(String accessKeyId, String secretAccessKey, String encryptionKey,
    String databasePassword) {

  public static final BackupSecrets NONE = new BackupSecrets(null, null, null, null);

  public BackupSecrets(String accessKeyId, String secretAccessKey, String encryptionKey) {
    this(accessKeyId, secretAccessKey, encryptionKey, null);
  }

  public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";

  /** Reads one Secret; {@code field} names the spec field that refers to it, for messages. */
  public interface Reader {
    Map<String, String> secret(String name, String field) throws StackEnv.Unreadable;
  }

  /** The values spec.backup's secretRefs name; messages name Secrets and keys, never a value. */
  public static BackupSecrets resolve(BackupSpec spec, Reader reader) throws StackEnv.Unreadable {
    if (spec == null) {
      return NONE;
    }
    String id = null;
    String secret = null;
    if (spec.getS3() != null && spec.getS3().getSecretRef() != null && spec.getS3().getSecretRef().getName() != null) {
      String name = spec.getS3().getSecretRef().getName();
      Map<String, String> data = reader.secret(name, "spec.backup.s3.secretRef");
      id = required(data, name, "spec.backup.s3.secretRef", ACCESS_KEY_ID);
      secret = required(data, name, "spec.backup.s3.secretRef", SECRET_ACCESS_KEY);
    }
    String key = null;
    var e = spec.getEncryption();
    if (e != null && e.getSecretRef() != null && e.getSecretRef().getName() != null) {
      String name = e.getSecretRef().getName();
      String entry = e.getKey() == null || e.getKey().isBlank() ? "key" : e.getKey().trim();
      key = required(reader.secret(name, "spec.backup.encryption.secretRef"), name,
          "spec.backup.encryption.secretRef", entry);
    }
    String password = null;
    var p = spec.getPasswordSecretRef();
    if (p != null && p.getName() != null) {
      String entry = spec.getPasswordKey() == null || spec.getPasswordKey().isBlank() ? "password"
          : spec.getPasswordKey().trim();
      password = required(reader.secret(p.getName(), "spec.backup.passwordSecretRef"), p.getName(),
          "spec.backup.passwordSecretRef", entry);
    }
    return new BackupSecrets(id, secret, key, password);
  }

  private static String required(Map<String, String> data, String secret, String field, String key)
      throws StackEnv.Unreadable {
    String value = data.get(key);
    if (value == null || value.isBlank()) {
      throw new StackEnv.Unreadable("Secret '" + secret + "' (" + field + ") has no '" + key + "'; add it", false);
    }
    return value;
  }

  // Records print every component; these are secrets.
  @Override
  public String toString() {
    return "BackupSecrets[s3=" + (accessKeyId != null) + ", encryptionKey=" + (encryptionKey != null)
        + ", databasePassword=" + (databasePassword != null) + "]";
  }
}
