package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How the daemon answered the latest request annotation, so that a client can wait for it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RequestRecord {

  @JsonPropertyDescription("The annotation, e.g. backstop.dev/rollback.")
  private String annotation;

  @JsonPropertyDescription("The annotation's value that was handled.")
  private String value;

  @JsonPropertyDescription("Whether it was carried out (an operation started) or refused.")
  private Boolean accepted;

  @JsonPropertyDescription("What was done, or why it could not be, for people.")
  private String message;

  @JsonPropertyDescription("When it was handled (RFC 3339).")
  private String time;

  public String getAnnotation() {
    return annotation;
  }

  public void setAnnotation(String annotation) {
    this.annotation = annotation;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }

  public Boolean getAccepted() {
    return accepted;
  }

  public void setAccepted(Boolean accepted) {
    this.accepted = accepted;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }
}
