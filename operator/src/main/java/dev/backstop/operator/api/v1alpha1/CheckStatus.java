package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of one health check. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class CheckStatus {

  @JsonPropertyDescription("Name of the check.")
  private String name;

  @JsonPropertyDescription("Pending, Passing, Failing, Tripped or Error (the check itself is broken).")
  private CheckState state;

  @JsonPropertyDescription("Whether the last probe passed.")
  private Boolean passing;

  @JsonPropertyDescription("Failures in a row; one success resets it.")
  private Integer consecutiveFailures;

  @JsonPropertyDescription(
      "Since when every probe has passed (RFC 3339); cleared by any result that is not a pass. spec.health.stableFor is measured from it.")
  private String passingSince;

  @JsonPropertyDescription("Whether consecutive failures reached the check's threshold.")
  private Boolean tripped;

  @JsonPropertyDescription("Value measured when the check last changed state or counted a failure, e.g. 2/2"
      + " services healthy. A steady check keeps it, so that status is written only when something changed.")
  private String lastValue;

  @JsonPropertyDescription("What the probe found when the check last changed state or counted a failure.")
  private String message;

  @JsonPropertyDescription("When the check entered its current state (RFC 3339).")
  private String lastTransitionTime;

  @JsonPropertyDescription("When a failure was last counted; failures count at most once per interval (RFC 3339).")
  private String lastCountedFailureTime;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Boolean getPassing() {
    return passing;
  }

  public void setPassing(Boolean passing) {
    this.passing = passing;
  }

  public Integer getConsecutiveFailures() {
    return consecutiveFailures;
  }

  public void setConsecutiveFailures(Integer consecutiveFailures) {
    this.consecutiveFailures = consecutiveFailures;
  }

  public Boolean getTripped() {
    return tripped;
  }

  public void setTripped(Boolean tripped) {
    this.tripped = tripped;
  }

  public String getLastValue() {
    return lastValue;
  }

  public void setLastValue(String lastValue) {
    this.lastValue = lastValue;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  public String getLastCountedFailureTime() {
    return lastCountedFailureTime;
  }

  public void setLastCountedFailureTime(String lastCountedFailureTime) {
    this.lastCountedFailureTime = lastCountedFailureTime;
  }

  public CheckState getState() {
    return state;
  }

  public void setState(CheckState state) {
    this.state = state;
  }

  public String getPassingSince() {
    return passingSince;
  }

  public void setPassingSince(String passingSince) {
    this.passingSince = passingSince;
  }
}
