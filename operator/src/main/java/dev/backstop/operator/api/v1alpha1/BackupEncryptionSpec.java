package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Encryption of backups at rest with an AES-256 key from a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupEncryptionSpec {

  @Required
  @JsonPropertyDescription(
      "Secret holding the key: 32 random bytes in base64, e.g. from `openssl rand -base64 32` (local mode: secrets/<name>.env beside the manifests). Only the key's fingerprint is ever shown.")
  private SecretReference secretRef;

  @JsonPropertyDescription("Key of the Secret that holds the encryption key. Default: key.")
  private String key;

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
