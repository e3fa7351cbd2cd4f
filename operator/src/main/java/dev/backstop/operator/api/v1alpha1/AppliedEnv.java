package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The stack variables the running containers were applied with: names and a hash, never values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppliedEnv {

  @JsonPropertyDescription(
      "SHA-256 (hex) of the sorted NAME=value pairs; a new one re-applies the running commit.")
  private String fingerprint;

  @JsonPropertyDescription("Variable names, sorted.")
  private List<String> keys = new ArrayList<>();

  public AppliedEnv() {}

  public AppliedEnv(String fingerprint, List<String> keys) {
    this.fingerprint = fingerprint;
    this.keys = new ArrayList<>(keys);
  }

  public String getFingerprint() {
    return fingerprint;
  }

  public void setFingerprint(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  public List<String> getKeys() {
    return keys;
  }

  public void setKeys(List<String> keys) {
    this.keys = keys == null ? new ArrayList<>() : keys;
  }
}
