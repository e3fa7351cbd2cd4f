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

  @JsonPropertyDescription(
      "Release (default): a rollback moves every service back to last-known-good. Service: an automatic rollback moves"
          + " back only the services whose checks tripped (serviceHealth checks name them; http, responseTime,"
          + " errorRate, exec and prometheus checks through their `service`), with their last-known-good"
          + " definitions, and leaves the others on the new commit. A trip no service can be named for rolls back"
          + " the whole release.")
  private RollbackScope scope;

  public RollbackScope getScope() {
    return scope;
  }

  public void setScope(RollbackScope scope) {
    this.scope = scope;
  }

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
