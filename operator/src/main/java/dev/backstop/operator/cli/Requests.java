package dev.backstop.operator.cli;

import dev.backstop.operator.local.ApiToken;
import dev.backstop.operator.api.v1alpha1.RequestRecord;
import dev.backstop.operator.local.DaemonInfo;
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Records a request for the local daemon, then nudges it so that it acts now. */
final class Requests {

  private Requests() {}

  /** How long a request command waits for the daemon's answer unless told otherwise. */
  static final String DEFAULT_WAIT = "10s";

  /** Records the request and returns the value written, by which the daemon's answer is found. */
  static String send(StateOption state, String name, String key, PrintWriter out) {
    StatusStore store = state.store();
    state.status(name);
    String value = Instant.now().toString();
    new RequestStore(store).request(name, key, value);
    int answer = DaemonInfo.read(state.dir()).map(d -> nudge(d, state, name)).orElse(0);
    String what = key.substring(key.indexOf('/') + 1) + " requested for " + name;
    if (answer == 202) {
      out.println(what + "; the daemon is acting on it now");
    } else if (answer == 401 || answer == 403) {
      out.println(what + "; the daemon acts on it at its next reconcile (it refused the nudge: "
          + ApiToken.FILE + " in " + state.dir() + " is missing or not its token)");
    } else {
      out.println(what + "; the daemon acts on it at its next reconcile");
    }
    out.flush();
    return value;
  }

  /**
   * Waits up to {@code wait} for the daemon to record how it answered request {@code value} in
   * status.lastRequest, prints the answer, and returns the exit code: 0 carried out (or not answered
   * yet: it stays recorded and is acted on later), 1 refused, with the daemon's reason.
   */
  static int awaitAnswer(StateOption state, String name, String key, String value, java.time.Duration wait,
      PrintWriter out, PrintWriter err) throws InterruptedException {
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      RequestRecord answer = state.store().read(name).map(s -> s.getLastRequest())
          .filter(r -> key.equals(r.getAnnotation()) && value.equals(r.getValue()))
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
        out.println("no answer from the daemon within " + wait.toSeconds() + "s; the request stays recorded and"
            + " is acted on at its next reconcile (is `backstop run` running? see `backstop status " + name + "`)");
        out.flush();
        return 0;
      }
      Thread.sleep(200);
    }
  }

  /** Asks the daemon to reconcile now; the HTTP status, or 0 when it cannot be reached. */
  private static int nudge(DaemonInfo d, StateOption state, String name) {
    try {
      Optional<String> token = ApiToken.read(state.dir());
      HttpRequest.Builder req = HttpRequest.newBuilder(
              URI.create("http://" + host(d.address()) + ":" + d.port() + "/api/v1/releases/" + name + "/reconcile"))
          .timeout(Duration.ofSeconds(2))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}"));
      token.ifPresent(t -> req.header("X-Backstop-Token", t));
      return HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static String host(String address) {
    return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
  }
}
