package dev.backstop.operator.cli;

import dev.backstop.operator.local.DaemonInfo;
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Records a request for the local daemon, then nudges it so that it acts now. */
final class Requests {

  private Requests() {}

  static void send(StateOption state, String name, String key, PrintWriter out) {
    StatusStore store = state.store();
    state.status(name);
    new RequestStore(store).request(name, key, Instant.now().toString());
    boolean nudged = DaemonInfo.read(state.dir()).map(d -> nudge(d, name)).orElse(false);
    out.println(key.substring(key.indexOf('/') + 1) + " requested for " + name
        + (nudged ? "; the daemon is acting on it now" : "; the daemon acts on it at its next reconcile"));
    out.flush();
  }

  private static boolean nudge(DaemonInfo d, String name) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + d.address() + ":" + d.port() + "/api/v1/releases/" + name + "/reconcile"))
          .timeout(Duration.ofSeconds(2))
          .POST(HttpRequest.BodyPublishers.noBody())
          .build();
      return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 202;
    } catch (Exception e) {
      return false;
    }
  }
}
