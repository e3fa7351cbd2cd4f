package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Redactor;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listing at /api/v1/releases is joined once per change, and every change shows in it. */
class StatusServerListingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, StagingReleaseStatus> statuses = new ConcurrentHashMap<>();
  private final Map<String, StagingRelease> releases = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private StatusServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aChangedStatusShowsInTheNextListing() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      releases.put(name, release(name));
      statuses.put(name, status(Phase.Healthy));
    }
    start();
    JsonNode first = list();
    assertThat(first).hasSize(3);
    assertThat(first.get(1).path("status").path("phase").asText()).isEqualTo("Healthy");
    assertThat(list()).isEqualTo(first);

    statuses.put("b", status(Phase.Verifying));
    assertThat(list().get(1).path("status").path("phase").asText()).isEqualTo("Verifying");

    statuses.remove("c");
    releases.remove("c");
    assertThat(list()).extracting(n -> n.path("name").asText()).containsExactly("a", "b");

    statuses.put("d", status(Phase.Degraded));
    releases.put("d", release("d"));
    assertThat(list()).extracting(n -> n.path("name").asText()).containsExactly("a", "b", "d");
    assertThat(single("d").path("status").path("phase").asText()).isEqualTo("Degraded");
  }

  private void start() throws Exception {
    HttpServer httpServer = StatusServer.httpServer("127.0.0.1", 0);
    server = StatusServer.readOnly(new StatusSource() {
      @Override
      public List<String> names() {
        return List.copyOf(new TreeMap<>(statuses).keySet());
      }

      @Override
      public boolean isName(String name) {
        return ReleaseName.isValid(name);
      }

      @Override
      public Map<String, StagingRelease> releases() {
        return new TreeMap<>(releases);
      }

      @Override
      public Optional<StagingReleaseStatus> status(String name) {
        return Optional.ofNullable(statuses.get(name));
      }

      @Override
      public Object version(String name) {
        return statuses.get(name);
      }

      @Override
      public Redactor redactor() {
        return Redactor.patterns();
      }
    }, httpServer);
    server.start();
  }

  private JsonNode list() throws Exception {
    return get("/api/v1/releases");
  }

  private JsonNode single(String name) throws Exception {
    return get("/api/v1/releases/" + name);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return JSON.readTree(r.body());
  }

  private static StagingRelease release(String name) {
    StagingRelease r = new StagingRelease();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    r.setMetadata(meta);
    r.setSpec(new StagingReleaseSpec());
    return r;
  }

  private static StagingReleaseStatus status(Phase phase) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(phase);
    return s;
  }
}
