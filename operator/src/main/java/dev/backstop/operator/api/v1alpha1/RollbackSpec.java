package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** When the stack moves back to its last-known-good commit. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollbackSpec {

  @JsonPropertyDescription(
      "Roll back to last-known-good by itself when a deploy fails verification or a healthy release trips a check. Default true.")
  private Boolean automatic;

  public Boolean getAutomatic() {
    return automatic;
  }

  public void setAutomatic(Boolean automatic) {
    this.automatic = automatic;
  }
}
