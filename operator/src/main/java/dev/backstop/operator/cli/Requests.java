package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.RequestRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.UUID;

/** Sends a request (a StagingRelease request annotation) to wherever the release lives. */
final class Requests {

  private Requests() {}

  /** How long a request command waits for the daemon's answer unless told otherwise. */
  static final String DEFAULT_WAIT = "10s";

  /** Records the request and returns the value written, by which the answer is found. */
  static String send(StateOption state, String name, String key, PrintWriter out) {
    return send(state, name, key, "", java.util.Map.of(), out);
  }

  /**
   * As {@link #send(StateOption, String, String, PrintWriter)}, with the request's own argument
   * before the unique part (backstop.dev/rollback-services: {@code api,web;<unique>}) and its
   * parameters, written in the same change (backstop.dev/rollback-to).
   */
  static String send(StateOption state, String name, String key, String argument,
      java.util.Map<String, String> parameters, PrintWriter out) {
    // Every request needs a value not handled before: a timestamp plus a nonce.
    String value = Instant.now() + "-" + UUID.randomUUID().toString().substring(0, 8);
    String delivered = state.source().request(name, key, argument + value, parameters);
    out.println(key.substring(key.indexOf('/') + 1) + " requested for " + name + "; " + delivered);
    out.flush();
    return value;
  }

  /**
   * Waits up to {@code wait} for the daemon or operator to record how it answered request {@code
   * value} in status.lastRequest, prints the answer, and returns the exit code: 0 carried out (or not
   * answered yet: it stays recorded and is acted on later), 1 refused, with the reason.
   */
  static int awaitAnswer(StateOption state, String name, String key, String value, java.time.Duration wait,
      PrintWriter out, PrintWriter err) throws InterruptedException {
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      RequestRecord answer = state.source().find(name).map(s -> s.getLastRequest())
          .filter(r -> key.equals(r.getAnnotation()) && r.getValue() != null && r.getValue().endsWith(value))
          .orElse(null);
      if (answer != null) {
        if (Boolean.TRUE.equals(answer.getAccepted())) {
          out.println(answer.getMessage());
          out.flush();
          return 0;
        }
        err.println("error: " + key.substring(key.indexOf('/') + 1) + " refused: " + answer.getMessage());
        err.flush();
        return 1;
      }
      if (!Instant.now().isBefore(deadline)) {
        out.println("no answer from the daemon within " + wait.toSeconds() + "s; the request stays recorded and is acted on at"
            + " the next reconcile (is the daemon or operator running? see `backstop status " + name + "`)");
        out.flush();
        return 0;
      }
      Thread.sleep(200);
    }
  }
}
