package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A commit that failed and is not deployed again without a new request. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class QuarantinedCommit {

  @JsonPropertyDescription("Full commit SHA.")
  private String commit;

  @JsonPropertyDescription("The ref that named it.")
  private String ref;

  @JsonPropertyDescription("Why it was quarantined.")
  private Reason reason;

  @JsonPropertyDescription("What failed, for people.")
  private String message;

  @JsonPropertyDescription("When it was quarantined (RFC 3339).")
  private String since;

  public String getCommit() {
    return commit;
  }

  public void setCommit(String commit) {
    this.commit = commit;
  }

  public String getRef() {
    return ref;
  }

  public void setRef(String ref) {
    this.ref = ref;
  }

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

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }
}
