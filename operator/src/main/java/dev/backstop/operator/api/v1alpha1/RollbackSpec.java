package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** When the stack moves back to its last-known-good commit. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollbackSpec {

  @JsonPropertyDescription(
      "Roll back to last-known-good by itself when a deploy fails verification or a healthy release trips a check. Default true.")
  private Boolean automatic;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "How many rollback reports `backstop report` keeps (the newest; in a cluster in the ConfigMap <name>-rollback-reports). Default 10.")
  private Integer reportsToKeep;

  public Integer getReportsToKeep() {
    return reportsToKeep;
  }

  public void setReportsToKeep(Integer reportsToKeep) {
    this.reportsToKeep = reportsToKeep;
  }

  public Boolean getAutomatic() {
    return automatic;
  }

  public void setAutomatic(Boolean automatic) {
    this.automatic = automatic;
  }
}
