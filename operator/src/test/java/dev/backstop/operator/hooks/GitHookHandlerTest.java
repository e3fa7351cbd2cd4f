package dev.backstop.operator.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a verified push is answered with: 202 only when the fetch was passed on, else 503 and why. */
class GitHookHandlerTest {

  private static final String PAYLOAD =
      "{\"ref\":\"refs/heads/main\",\"repository\":{\"git_http_url\":\"https://git.example/shop.git\"}}";
  private HttpServer server;
  private final List<String> deliveries = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    server.stop(0);
  }

  private HttpResponse<String> post(GitHookHandler.Releases releases) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(GitHookHandler.PATH, new GitHookHandler(Optional.of("s3cr3t"), releases));
    server.start();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + GitHookHandler.PATH))
        .header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Token", "s3cr3t")
        .header("X-Gitlab-Event-UUID", "d-42")
        .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestPassedOnIsAcceptedWithTheDeliveryId() throws Exception {
    HttpResponse<String> answer = post((matches, delivery) -> {
      deliveries.add(delivery);
      return matches.test("https://git.example/shop") ? List.of("default/shop") : List.of();
    });
    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(answer.body()).contains("fetching now for default/shop");
    assertThat(deliveries).containsExactly("d-42");
  }

  @Test
  void aRequestThatCannotBePassedOnIs503WithTheReasonNever202() throws Exception {
    HttpResponse<String> answer = post((matches, delivery) -> {
      throw new GitHookHandler.Unavailable("cannot annotate default/shop (HTTP 403: forbidden)", null);
    });
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.body()).contains("cannot annotate default/shop (HTTP 403: forbidden)");
  }
}
