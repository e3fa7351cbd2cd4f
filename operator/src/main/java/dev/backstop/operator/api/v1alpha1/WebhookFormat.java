package dev.backstop.operator.api.v1alpha1;

/** The body a webhook receives; spelled in lower case as in the manifest. */
public enum WebhookFormat {
  /** The event, the release's state and, for rollbacks, the rollback report. */
  json,
  /** A Slack incoming-webhook body: {"text": one paragraph}. */
  slack
}
