package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * The status page on the operator's port: the built jar's `backstop operator` against the fabric8
 * mock API server, a real git repository and the real Compose CLI. The page, its JSON and its
 * event stream show the cluster's release as namespace/name, read-only: no buttons, every POST
 * refused, other Host names refused as in local mode. A screenshot goes to target/screenshots/.
 */
class ClusterStatusPageIT {

  private static final String NS = "default";

  @TempDir Path tmp;
  private final String project = "bspgc-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  private MockCluster cluster;
  private Process operator;
  private WebDriver browser;
  private int port;

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (operator != null) {
      operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theOperatorServesThePageReadOnlyFromItsCache() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    repo.commit("v1");
    cluster = new MockCluster();
    int appPort = LocalModeIT.freePort();
    port = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "operator",
        "--state", tmp.resolve("state").toString(), "--namespaces", NS, "--bind", "127.0.0.1",
        "--port", String.valueOf(port), "--stack-env", "DEMO_PORT", "--allow-local-sources");
    pb.environment().put("KUBECONFIG", cluster.operatorKubeconfig(tmp).toString());
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("operator.log").toFile()));
    operator = pb.start();

    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest("demo", repo.dir, "v1", project), StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("/healthz").statusCode() == 200);
    cluster.client.resource(sr).create();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
        .failFast("the operator process exited", () -> !operator.isAlive())
        .until(() -> get("/api/v1/releases/default/demo").body().contains("\"phase\" : \"" + Phase.Healthy + "\""));

    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<body data-mode=\"read-only\"", "kubectl backstop", "/ui/app.js");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
        csp -> assertThat(csp).contains("script-src 'self'"));
    assertThat(get("/releases/default/demo").body()).contains("data-mode=\"read-only\"");
    assertThat(get("/ui/app.js").body()).contains("READ_ONLY");

    String list = get("/api/v1/releases").body();
    assertThat(list).contains("\"name\" : \"default/demo\"", "\"projectName\" : \"" + project + "\"");
    HttpResponse<String> one = get("/api/v1/releases/default/demo");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).contains("\"name\" : \"default/demo\"", "\"checkSamples\"");
    // Names from the URL are looked up, never used as paths, and never echoed beyond their letters.
    assertThat(get("/api/v1/releases/default/other").statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/releases/demo").statusCode()).isEqualTo(404);
    HttpResponse<String> odd = get("/api/v1/releases/default/%3Cscript%3E");
    assertThat(odd.statusCode()).isEqualTo(404);
    assertThat(odd.body()).doesNotContain("<script");
    assertThat(get("/api/v1/releases/..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(404);

    // No actions on a cluster: the page's POSTs and any other method are refused, with the way.
    for (String path : List.of("/api/v1/releases/default/demo/rollback", "/api/v1/token",
        "/api/v1/releases/default/demo/reconcile")) {
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(path))
          .header("Content-Type", "application/json").header("X-Backstop-Token", "anything")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).as(path).isEqualTo(405);
      assertThat(post.body()).contains("read-only", "kubectl");
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
    assertThat(cluster.client.resources(StagingRelease.class).inNamespace(NS).withName("demo").get()
        .getMetadata().getAnnotations()).isNullOrEmpty();

    // The same Host check as local mode: a DNS-rebinding page names its own host.
    assertThat(LocalApiIT.raw(port, "GET /api/v1/releases HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 421");
    assertThat(LocalApiIT.raw(port, "GET / HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");

    // The event stream sends every release, then "ready".
    HttpResponse<Stream<String>> events = http.send(HttpRequest.newBuilder(uri("/api/v1/events")).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(events.statusCode()).isEqualTo(200);
    try (Stream<String> lines = events.body()) {
      Iterator<String> it = lines.iterator();
      StringBuilder seen = new StringBuilder();
      while (it.hasNext()) {
        String line = it.next();
        seen.append(line).append('\n');
        if (line.equals("event: ready")) {
          break;
        }
      }
      assertThat(seen.toString()).contains("event: release\ndata: {\"name\":\"default/demo\"");
    }

    // The operator's own endpoints still answer beside the page.
    assertThat(get("/metrics").body()).contains("backstop_deploys_total{");
    assertThat(get("/readyz").statusCode()).isEqualTo(200);

    browser = StatusPageIT.chromium(tmp);
    browser.get("http://127.0.0.1:" + port + "/releases/default/demo");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector(".read-only-note")).getText().contains("kubectl backstop"));
    assertThat(browser.findElements(By.cssSelector("button[data-action]"))).isEmpty();
    assertThat(browser.findElement(By.id("token-button")).isDisplayed()).isFalse();
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(png, StatusPageIT.SHOTS.resolve("cluster-release.png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
