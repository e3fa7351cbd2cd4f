package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A compose service whose containers differ from what the running commit renders. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class DriftedService {

  @JsonPropertyDescription("Compose service name (of the extra container, for one the commit does not define).")
  private String service;

  @JsonPropertyDescription("How it differs: image, definition (config hash), missing, or extra.")
  private String reason;

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
