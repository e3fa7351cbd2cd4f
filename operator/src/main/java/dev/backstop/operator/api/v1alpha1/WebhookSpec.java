package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** One receiver of deploy and rollback notifications. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class WebhookSpec {

  @Required
  @Pattern("^https?://[^\\s]+$")
  @JsonPropertyDescription(
      "Where to POST, http:// or https://. Treated as a secret (Slack's URLs are): never logged.")
  private String url;

  @JsonPropertyDescription(
      "json (default): the event with the rollback report; slack: {\"text\": a one-paragraph summary}.")
  private WebhookFormat format;

  @JsonPropertyDescription(
      "The events to send: DeployStarted, DeploySucceeded, DeployFailed, RollbackStarted, RollbackSucceeded,"
          + " RollbackFailed. Empty: all of them.")
  private List<NotifyEvent> events = new ArrayList<>();

  @JsonPropertyDescription(
      "Secret whose key 'secret' signs each body: header X-Backstop-Signature: sha256=<hex HMAC-SHA256 of the body>."
          + " Local mode reads secrets/<name>.env beside the manifests (a line secret=...).")
  private SecretReference secretRef;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public WebhookFormat getFormat() {
    return format;
  }

  public void setFormat(WebhookFormat format) {
    this.format = format;
  }

  public List<NotifyEvent> getEvents() {
    return events;
  }

  public void setEvents(List<NotifyEvent> events) {
    this.events = events;
  }

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }
}
