package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where the stack's files come from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceSpec {

  @Required
  @Size(max = 2048)
  @Pattern("^[^-\\s][^\\s]*$")
  @ValidationRule(value = "!self.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*:[^/@]*@')",
      message = "the url must not hold a password: put credentials in the Secret named by secretRef")
  @JsonPropertyDescription(
      "Git repository URL: https://, ssh://, file:// or a plain path on the Docker host.")
  private String url;

  @Pattern("^[A-Za-z0-9._+@][A-Za-z0-9._/+@-]*$")
  @Size(max = 255)
  @ValidationRule(value = "!self.contains('..')", message = "a ref must not contain '..'")
  @Required
  @JsonPropertyDescription("Branch, tag, or full or abbreviated commit SHA to run.")
  private String ref;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @ValidationRule(value = "duration(self) >= duration('10s')", message = "pollInterval must be at least 10s")
  @Size(max = 32)
  @JsonPropertyDescription(
      "How often the remote is fetched to notice that a branch or tag moved, e.g. 1m. Default 1m.")
  private String pollInterval;

  @JsonPropertyDescription(
      "Secret with git credentials: `username` and `password` (or a token as password) for https."
          + " Values never appear in logs, status or events.")
  private SecretReference secretRef;

  @JsonPropertyDescription(
      "Before each deploy, tag the running commit pre-deploy-<UTC yyyyMMdd-HHmmss> in the git cache and push the"
          + " tag to the remote when the credentials allow. A failed push is a Warning event and never holds the"
          + " deploy back. Default false.")
  private Boolean tagBeforeDeploy;

  public Boolean getTagBeforeDeploy() {
    return tagBeforeDeploy;
  }

  public void setTagBeforeDeploy(Boolean tagBeforeDeploy) {
    this.tagBeforeDeploy = tagBeforeDeploy;
  }

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

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }
}
