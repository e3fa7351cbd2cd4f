package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** One health check; it trips after consecutiveFailures failures in a row. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheckSpec {

  @Required
  @JsonPropertyDescription("Name of the check, unique within the release.")
  private String name;

  @Required
  @JsonPropertyDescription("Kind of check.")
  private CheckType type;

  @JsonPropertyDescription(
      "serviceHealth: the compose services to consider. Default: every service of the project.")
  private List<String> services;

  @Min(1)
  @JsonPropertyDescription("Failures in a row that trip the check. Default 1.")
  private Integer consecutiveFailures;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public CheckType getType() {
    return type;
  }

  public void setType(CheckType type) {
    this.type = type;
  }

  public List<String> getServices() {
    return services;
  }

  public void setServices(List<String> services) {
    this.services = services;
  }

  public Integer getConsecutiveFailures() {
    return consecutiveFailures;
  }

  public void setConsecutiveFailures(Integer consecutiveFailures) {
    this.consecutiveFailures = consecutiveFailures;
  }
}
