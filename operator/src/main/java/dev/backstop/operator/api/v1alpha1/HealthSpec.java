package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** What healthy means for the stack, and how long a deploy has to become healthy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthSpec {

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @Size(max = 32)
  @JsonPropertyDescription(
      "How long a deploy may take to pass every check before it counts as failed, e.g. 2m. Default 2m.")
  private String progressDeadline;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @ValidationRule(value = "duration(self) >= duration('1s')", message = "interval must be at least 1s")
  @Size(max = 32)
  @JsonPropertyDescription("How often checks run once the release is healthy, e.g. 10s. Default 10s.")
  private String interval;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @JsonPropertyDescription(
      "How long every rollback-action check must pass without a break before a deploy is verified and becomes last-known-good (minReadySeconds), e.g. 30s. A failure in that time counts as usual and restarts the wait. Must be shorter than progressDeadline. Default 0: verified on the first pass.")
  private String stableFor;

  @JsonPropertyDescription(
      "Checks that must pass. Default: one serviceHealth check over every compose service.")
  private List<HealthCheckSpec> checks;

  public String getProgressDeadline() {
    return progressDeadline;
  }

  public void setProgressDeadline(String progressDeadline) {
    this.progressDeadline = progressDeadline;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getStableFor() {
    return stableFor;
  }

  public void setStableFor(String stableFor) {
    this.stableFor = stableFor;
  }

  public List<HealthCheckSpec> getChecks() {
    return checks;
  }

  public void setChecks(List<HealthCheckSpec> checks) {
    this.checks = checks;
  }
}
