package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A service a gradual rollback moved back to another commit than the rest of the release. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RolledBackService {

  @JsonPropertyDescription("Compose service name.")
  private String name;

  @JsonPropertyDescription("The commit whose definition of the service runs (last-known-good when rolled back).")
  private Revision revision;

  @JsonPropertyDescription("Why it was rolled back: the tripped checks, or a person's request.")
  private String reason;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Revision getRevision() {
    return revision;
  }

  public void setRevision(Revision revision) {
    this.revision = revision;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
