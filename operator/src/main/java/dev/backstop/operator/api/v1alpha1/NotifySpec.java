package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Who is told about deploys and rollbacks. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class NotifySpec {

  @Size(max = 20)
  @JsonPropertyDescription(
      "Webhooks that receive an HTTP POST per deploy and rollback event, off the reconcile path:"
          + " a slow or dead receiver never delays a rollback.")
  private List<WebhookSpec> webhooks = new ArrayList<>();

  public List<WebhookSpec> getWebhooks() {
    return webhooks;
  }

  public void setWebhooks(List<WebhookSpec> webhooks) {
    this.webhooks = webhooks;
  }
}
