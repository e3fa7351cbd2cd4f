package dev.backstop.operator.notify;

/** Reads a webhook's signing secret: a Secret in a cluster, secrets/NAME.env in local mode. */
public interface SecretLookup {

  /** The key of the Secret (or the NAME=value line of the env file) that holds the signing secret. */
  String KEY = "secret";

  /**
   * The value of {@link #KEY} of the Secret {@code name} in {@code namespace} (null in local mode).
   *
   * @throws Missing when the Secret or its key cannot be read; the message names them, never a value
   */
  String secret(String namespace, String name) throws Missing;

  /** A signing secret that cannot be read: the delivery fails rather than going out unsigned. */
  final class Missing extends Exception {
    public Missing(String message) {
      super(message, null, false, false);
    }
  }
}
