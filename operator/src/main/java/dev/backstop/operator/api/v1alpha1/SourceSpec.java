package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where the stack's files come from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceSpec {

  @Required
  @JsonPropertyDescription(
      "Git repository URL: https://, ssh://, file:// or a plain path on the Docker host.")
  private String url;

  @Required
  @JsonPropertyDescription("Branch, tag, or full or abbreviated commit SHA to run.")
  private String ref;

  @JsonPropertyDescription(
      "How often the remote is fetched to notice that a branch or tag moved, e.g. 1m. Default 1m.")
  private String pollInterval;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getRef() {
    return ref;
  }

  public void setRef(String ref) {
    this.ref = ref;
  }

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }
}
