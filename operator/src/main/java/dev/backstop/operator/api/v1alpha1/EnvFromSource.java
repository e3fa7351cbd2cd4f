package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Every key of one Secret or ConfigMap as stack variables, shaped like a container's envFrom
 * entry. Exactly one of secretRef and configMapRef.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvFromSource {

  @JsonPropertyDescription(
      "Secret whose keys become variables. Local mode reads secrets/<name>.env beside the manifests.")
  private SecretReference secretRef;

  @JsonPropertyDescription(
      "ConfigMap whose keys become variables. Local mode reads configmaps/<name>.env beside the manifests.")
  private ConfigMapReference configMapRef;

  public EnvFromSource() {}

  public static EnvFromSource secret(String name) {
    EnvFromSource s = new EnvFromSource();
    s.setSecretRef(new SecretReference(name));
    return s;
  }

  public static EnvFromSource configMap(String name) {
    EnvFromSource s = new EnvFromSource();
    s.setConfigMapRef(new ConfigMapReference(name));
    return s;
  }

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }

  public ConfigMapReference getConfigMapRef() {
    return configMapRef;
  }

  public void setConfigMapRef(ConfigMapReference configMapRef) {
    this.configMapRef = configMapRef;
  }
}
