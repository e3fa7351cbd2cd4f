package dev.backstop.operator.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /hooks/git: a push webhook of GitHub, Gitea or GitLab, signed with the hook secret, makes
 * every release whose spec.source.url names the pushed repository fetch now instead of at its next
 * pollInterval. Guarded by the hook secret, not the API token: a git server knows only the former.
 */
public final class GitHookHandler implements HttpHandler {

  /** Where the receiver listens, on the local daemon's and the operator's HTTP port. */
  public static final String PATH = "/hooks/git";

  /** The largest body read; a push payload of a few hundred commits is well below it. */
  public static final int MAX_BODY = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(GitHookHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The driver's side: fetch now for the releases whose source URL the predicate accepts. Local
   * mode wakes its workers; cluster mode annotates the releases, so that the leader fetches
   * whichever replica the delivery reached.
   */
  public interface Releases {
    /**
     * @param delivery the git host's delivery id, null when it sent none
     * @return the names of the releases that will fetch now
     * @throws Unavailable when the request could not be passed on: nothing fetches early
     */
    List<String> fetchNow(Predicate<String> sourceUrlMatches, String delivery) throws Unavailable;
  }

  /** The fetch could not be asked for (the API server refused or is down); the message says why, for people. */
  public static final class Unavailable extends Exception {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Optional<String> secret;
  private final Releases releases;

  /** @param secret the shared hook secret; empty refuses every delivery with 503 and says how to set one */
  public GitHookHandler(Optional<String> secret, Releases releases) {
    this.secret = secret;
    this.releases = releases;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("POST")) {
        ex.getResponseHeaders().set("Allow", "POST");
        answer(ex, 405, Map.of("error", "POST a push webhook to " + PATH));
        return;
      }
      if (secret.isEmpty()) {
        answer(ex, 503, Map.of("error", "no hook secret is configured, so no delivery can be verified;"
            + " give the operator --hook-secret-file"));
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        answer(ex, 413, Map.of("error", "the payload is larger than " + MAX_BODY + " bytes"));
        return;
      }
      HookSignature.Verdict verdict = HookSignature.verify(ex.getRequestHeaders()::getFirst, body, secret.get());
      if (!verdict.ok()) {
        LOG.warn("git hook refused from {}: {}", ex.getRemoteAddress().getAddress().getHostAddress(),
            verdict.refusal());
        answer(ex, 401, Map.of("error", verdict.refusal()));
        return;
      }
      String event = event(ex, verdict.provider());
      if (event != null && !isPush(event)) {
        // GitHub's ping on creation, tag or issue events: nothing to fetch, but the hook works.
        answer(ex, 200, Map.of("message", "event " + event + " ignored; only pushes fetch"));
        return;
      }
      GitPush push;
      try {
        push = GitPush.parse(body);
      } catch (IllegalArgumentException e) {
        answer(ex, 400, Map.of("error", e.getMessage()));
        return;
      }
      List<String> fetching;
      try {
        fetching = releases.fetchNow(push::matches, delivery(ex, verdict.provider()));
      } catch (Unavailable e) {
        // Never 202: the git host shows this answer, and nothing will fetch early.
        LOG.warn("git hook ({} push of {} to {}): {}", verdict.provider(), push.ref(), push.repositoryUrls(),
            e.getMessage());
        answer(ex, 503, Map.of("error", e.getMessage()));
        return;
      }
      LOG.info("git hook ({} push of {} to {}): fetching now for {}", verdict.provider(), push.ref(),
          push.repositoryUrls(), fetching.isEmpty() ? "no release" : fetching);
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("releases", fetching);
      answer.put("message", fetching.isEmpty()
          ? "no release's spec.source.url names " + push.repositoryUrls()
          : "fetching now for " + String.join(", ", fetching));
      answer(ex, 202, answer);
    }
  }

  private static String event(HttpExchange ex, HookSignature.Provider provider) {
    String header = switch (provider) {
      case GitHub -> "X-GitHub-Event";
      case Gitea -> "X-Gitea-Event";
      case GitLab -> "X-Gitlab-Event";
    };
    return ex.getRequestHeaders().getFirst(header);
  }

  private static String delivery(HttpExchange ex, HookSignature.Provider provider) {
    String header = switch (provider) {
      case GitHub -> "X-GitHub-Delivery";
      case Gitea -> "X-Gitea-Delivery";
      case GitLab -> "X-Gitlab-Event-UUID";
    };
    return ex.getRequestHeaders().getFirst(header);
  }

  private static boolean isPush(String event) {
    return event.equals("push") || event.equals("Push Hook");
  }

  private static void answer(HttpExchange ex, int code, Map<String, ?> body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
