package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API of the built jar is not an open door: actions need the token from the state
 * directory, other Host names are refused, slow and surplus connections are cut, and the CLI still
 * works. No Docker needed: the release's repository does not exist, the daemon still knows it.
 */
class LocalApiIT {

  @TempDir Path tmp;
  private Process daemon;
  private int port;
  private Path state;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startDaemon() throws Exception {
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    state = tmp.resolve("state");
    String project = "bsapi-" + UUID.randomUUID().toString().substring(0, 8);
    DemoRepo.write(manifests.resolve("demo.yaml"), DemoRepo.manifest("demo", tmp.resolve("no-such-repo"), "v1", project));
    port = LocalModeIT.freePort();
    daemon = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(port))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("backstop.log").toFile())
        .start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> status("GET", "/api/v1/releases/demo", null, null) == 200);
  }

  @AfterEach
  void stop() throws Exception {
    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void actionsNeedTheTokenFromTheStateDirectory() throws Exception {
    Path tokenFile = state.resolve("api-token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
    String token = Files.readString(tokenFile).strip();

    assertThat(status("POST", "/api/v1/releases/demo/rollback", null, "application/json")).isEqualTo(401);
    assertThat(status("POST", "/api/v1/releases/demo/rollback", "not-the-token", "application/json")).isEqualTo(403);
    assertThat(status("POST", "/api/v1/releases/demo/reconcile", null, "application/json")).isEqualTo(401);
    assertThat(requestsFile()).doesNotExist();

    // A form post (what a cross-site page can send without asking) is refused even with the token.
    assertThat(status("POST", "/api/v1/releases/demo/rollback", token, "application/x-www-form-urlencoded"))
        .isEqualTo(415);
    assertThat(raw("POST /api/v1/releases/demo/rollback HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nOrigin: http://evil.example\r\nX-Backstop-Token: " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
        .startsWith("HTTP/1.1 403");
    assertThat(requestsFile()).doesNotExist();

    HttpResponse<String> ok = post("/api/v1/releases/demo/rollback", token);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.body()).contains("rollback requested for demo");
    assertThat(Files.readString(requestsFile())).contains("backstop.dev/rollback");
    for (String action : List.of("emergency-rollback", "retry", "backup", "reconcile")) {
      assertThat(post("/api/v1/releases/demo/" + action, token).statusCode()).as(action).isEqualTo(202);
    }
    assertThat(Files.readString(requestsFile()))
        .contains("backstop.dev/emergency-rollback", "backstop.dev/retry", "backstop.dev/backup");
    assertThat(post("/api/v1/releases/nobody/rollback", token).statusCode()).isEqualTo(404);
    assertThat(post("/api/v1/releases/demo/delete-everything", token).statusCode()).isEqualTo(404);

    // Reading stays open on loopback.
    assertThat(status("GET", "/api/v1/releases", null, null)).isEqualTo(200);
    assertThat(status("GET", "/metrics", null, null)).isEqualTo(200);
  }

  @Test
  void otherHostNamesAreRefused() throws Exception {
    assertThat(raw("GET /api/v1/releases HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 421").contains("does not answer for Host evil.example");
    assertThat(raw("GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 421");
    assertThat(raw("GET /api/v1/releases HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void theCliReadsTheTokenAndSaysWhenItIsRefused() throws Exception {
    // --no-wait: this is about delivering the request with the token; whether the daemon can carry
    // it out (it cannot: nothing is deployed) is RefusedRequestTest's and RequestAnswerCliTest's.
    assertThat(cli("rollback", "demo", "--no-wait")).contains("rollback requested for demo; the daemon is acting on it now");
    assertThat(cli("retry", "demo", "--no-wait")).contains("retry requested for demo; the daemon is acting on it now");

    Path tokenFile = state.resolve("api-token");
    String token = Files.readString(tokenFile);
    Files.writeString(tokenFile, "stale\n");
    assertThat(cli("rollback", "demo", "--no-wait")).contains("refused the nudge").contains("api-token");
    Files.writeString(tokenFile, token);
  }

  @Test
  void slowAndSurplusConnectionsAreCut() throws Exception {
    // A client that never finishes its request is cut after the request timeout (10 s).
    try (Socket slow = new Socket("127.0.0.1", port)) {
      slow.getOutputStream().write(("GET /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      slow.setSoTimeout(30_000);
      long start = System.nanoTime();
      assertThat(slow.getInputStream().read()).isEqualTo(-1);
      double took = (System.nanoTime() - start) / 1e9;
      System.out.printf("[figures] an unfinished request is cut after %.1f s%n", took);
      assertThat(took).isBetween(5.0, 25.0);
    }

    // Beyond 32 open connections, the server closes new ones at once and keeps serving.
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        idle.add(new Socket("127.0.0.1", port));
      }
      // One quick pass: the surplus is closed at accept, well before idle connections time out.
      int cut = 0;
      for (Socket s : idle) {
        s.setSoTimeout(100);
        try {
          if (s.getInputStream().read() == -1) {
            cut++;
          }
        } catch (SocketTimeoutException stillOpen) {
          // Within the bound: held open, as it should be.
        }
      }
      System.out.printf("[figures] 40 idle connections: %d cut at once%n", cut);
      assertThat(cut).isBetween(8, 40 - 16);
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> status("GET", "/healthz", null, null) == 200);
  }

  private Path requestsFile() {
    return state.resolve("releases").resolve("demo").resolve("requests.json");
  }

  private String cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--state", state.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private HttpResponse<String> post(String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("X-Backstop-Token", token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private int status(String method, String path, String token, String type) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10));
      if (token != null) {
        b.header("X-Backstop-Token", token);
      }
      if (type != null) {
        b.header("Content-Type", type);
      }
      b.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  // java.net.http will not send a Host or Origin of our choosing: a socket will.
  private String raw(String request) throws Exception {
    return raw(port, request);
  }

  /** The whole answer to {@code request} sent as is to 127.0.0.1:{@code port}. */
  static String raw(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
