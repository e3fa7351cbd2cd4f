package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A fault of the Docker engine or host being retried with backoff; never held against a commit. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class EngineFaultStatus {

  @JsonPropertyDescription(
      "DockerUnavailable, AddressPoolsExhausted, DiskFull, PortConflict or RegistryUnavailable.")
  private Reason reason;

  @JsonPropertyDescription("The engine's own words and a hint, for people.")
  private String message;

  @JsonPropertyDescription("Consecutive attempts that met an engine fault.")
  private Integer attempts;

  @JsonPropertyDescription("When the first of them failed (RFC 3339).")
  private String since;

  @JsonPropertyDescription("When the latest of them failed (RFC 3339).")
  private String lastTime;

  @JsonPropertyDescription("When the next attempt is due (RFC 3339).")
  private String nextAttemptTime;

  public Reason getReason() {
    return reason;
  }

  public void setReason(Reason reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Integer getAttempts() {
    return attempts;
  }

  public void setAttempts(Integer attempts) {
    this.attempts = attempts;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getLastTime() {
    return lastTime;
  }

  public void setLastTime(String lastTime) {
    this.lastTime = lastTime;
  }

  public String getNextAttemptTime() {
    return nextAttemptTime;
  }

  public void setNextAttemptTime(String nextAttemptTime) {
    this.nextAttemptTime = nextAttemptTime;
  }
}
