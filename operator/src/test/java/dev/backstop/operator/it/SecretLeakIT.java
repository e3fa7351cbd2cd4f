package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.git.AuthGitServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants secrets where users put them (a Secret's token for git over https, credentials in
 * spec.source.url, a database password in a backup command), runs the real jar in each mode with
 * real git servers that need those credentials, a real Compose stack and a failing backup that
 * quotes its command, then reads every output: the process log, the whole state directory, the
 * resource's status and its events (mock API server), /api/v1/releases and /metrics.
 */
class SecretLeakIT {

  private static final String SECRET_TOKEN = "s3cret-t0ken-from-the-secret";
  private static final String URL_TOKEN = "url-t0ken-in-the-source-url";
  private static final String DB_PASSWORD = "db-passw0rd-in-the-command";
  private static final List<String> PLANTED = List.of(SECRET_TOKEN, URL_TOKEN, DB_PASSWORD);
  private static final String BACKUP = "PGPASSWORD=" + DB_PASSWORD
      + " sh -c 'echo cannot connect >&2; exit 3' --password=" + DB_PASSWORD;

  @TempDir Path tmp;
  private final String project = "bsleak-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Process process;

  @AfterEach
  void tearDown() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void localModeLeaksNoPlantedSecret() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    AuthGitServer git = new AuthGitServer(repo.dir, "deployer", URL_TOKEN);
    open.add(git);
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    // Local mode takes git credentials from its environment; a URL that holds a password is
    // refused (InvalidSpec) without repeating it: a second manifest plants one anyway.
    Files.writeString(manifests.resolve("demo.yaml"), manifest(git.url(), null));
    String inUrl = git.url().replace("http://", "http://deployer:" + URL_TOKEN + "@");
    Files.writeString(manifests.resolve("in-url.yaml"), manifest(inUrl, null)
        .replace("name: demo", "name: in-url").replace(project, project + "-url"));
    int apiPort = LocalModeIT.freePort();
    start(List.of("run", "--manifests", manifests.toString(), "--state", state.toString(), "--port",
        String.valueOf(apiPort)), Map.of("BACKSTOP_GIT_USERNAME", "deployer", "BACKSTOP_GIT_TOKEN", URL_TOKEN));
    StatusFile status = () -> Files.exists(state.resolve("releases/demo/status.json"))
        ? Files.readString(state.resolve("releases/demo/status.json")) : "";
    StatusFile urlStatus = () -> Files.exists(state.resolve("releases/in-url/status.json"))
        ? Files.readString(state.resolve("releases/in-url/status.json")) : "";
    awaitContains(status, "\"phase\":\"Healthy\"", "v1 Healthy");
    awaitContains(urlStatus, "holds a password", "the URL with a password refused");
    // A backup is a request for a deployed stack: ask once v1 runs.
    Files.writeString(manifests.resolve("demo.yaml"), manifest(git.url(), null)
        .replace("  name: demo\n", "  name: demo\n  annotations:\n    backstop.dev/backup: now\n"));
    awaitContains(status, "exited with 3", "the backup failed, quoting its command");

    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("daemon log", Files.readString(tmp.resolve("backstop.log")));
    outputs.put("/api/v1/releases", get(apiPort, "/api/v1/releases"));
    outputs.put("/api/v1/releases/demo", get(apiPort, "/api/v1/releases/demo"));
    outputs.put("/metrics", get(apiPort, "/metrics"));
    outputs.putAll(files(state));
    assertThat(outputs.get("/api/v1/releases")).contains("http://***@");
    assertNoLeaks(outputs, "local");
  }

  @Test
  void clusterModeLeaksNoPlantedSecret() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    AuthGitServer withSecret = new AuthGitServer(repo.dir, "deployer", SECRET_TOKEN);
    AuthGitServer withUrl = new AuthGitServer(repo.dir, "deployer", URL_TOKEN);
    open.add(withSecret);
    open.add(withUrl);
    MockCluster cluster = new MockCluster();
    open.add(cluster);
    Path state = tmp.resolve("state");
    int port = LocalModeIT.freePort();
    start(List.of("operator", "--state", state.toString(), "--namespaces", "default", "--bind", "127.0.0.1",
        "--port", String.valueOf(port)), Map.of("KUBECONFIG", cluster.operatorKubeconfig(tmp).toString()));
    cluster.client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("git")
        .endMetadata().addToStringData("username", "deployer").addToStringData("token", SECRET_TOKEN).build())
        .create();
    StagingRelease fromSecret = Serialization.unmarshal(manifest(withSecret.url(), "git"), StagingRelease.class);
    fromSecret.getMetadata().setNamespace("default");
    cluster.client.resource(fromSecret).create();
    // The same repository with the credentials in the URL: a second release, its own project.
    StagingRelease inUrl = Serialization.unmarshal(manifest(
        withUrl.url().replace("http://", "http://deployer:" + URL_TOKEN + "@"), null)
        .replace("name: demo", "name: in-url").replace(project, project + "-url"), StagingRelease.class);
    inUrl.getMetadata().setNamespace("default");
    StatusFile status = () -> Serialization.asJson(cluster.client.resources(StagingRelease.class)
        .inNamespace("default").withName("demo").get().getStatus());
    awaitContains(status, "\"phase\":\"Healthy\"", "v1 Healthy");
    // A backup is a request for a deployed stack: ask once v1 runs.
    cluster.client.resources(StagingRelease.class).inNamespace("default").withName("demo")
        .edit(r -> {
          if (r.getMetadata().getAnnotations() == null) {
            r.getMetadata().setAnnotations(new java.util.HashMap<>());
          }
          r.getMetadata().getAnnotations().put("backstop.dev/backup", "now");
          return r;
        });
    awaitContains(status, "exited with 3", "the backup failed, quoting its command");
    // The same repository with the credentials in the URL: refused without repeating them.
    cluster.client.resource(inUrl).create();
    StatusFile urlStatus = () -> Serialization.asJson(cluster.client.resources(StagingRelease.class)
        .inNamespace("default").withName("in-url").get().getStatus());
    awaitContains(urlStatus, "holds a password", "the URL with a password refused");

    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("operator log", Files.readString(tmp.resolve("backstop.log")));
    outputs.put("status", status.read() + urlStatus.read());
    outputs.put("events", Serialization.asJson(cluster.client.v1().events().inNamespace("default").list()));
    outputs.put("/metrics", get(port, "/metrics"));
    outputs.putAll(files(state));
    assertThat(outputs.get("events")).contains("exited with 3");
    assertNoLeaks(outputs, "cluster");
    DemoRepo.run(List.of("docker", "compose", "-p", project + "-url", "down", "-t", "1"), tmp);
  }

  private String manifest(String url, String secret) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: demo
        spec:
          source:
            url: %s
            ref: v1
        %s  compose:
            projectName: %s
          backup:
            service: web
            command: "%s"
          health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(url, secret == null ? "" : "    secretRef:\n      name: " + secret + "\n", project,
        BACKUP.replace("\"", "\\\""));
  }

  private void start(List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-Dbackstop.debug=true", "-jar",
        LocalModeIT.jar()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.environment().put("DEMO_PORT", String.valueOf(freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    process = pb.start();
  }

  private static int freePort() {
    try {
      return LocalModeIT.freePort();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every file below {@code dir}, read as bytes (git packs, dumps and keys too). */
  private static Map<String, String> files(Path dir) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path file : all.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(file).toString(), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    assertThat(files).isNotEmpty();
    return files;
  }

  private static void assertNoLeaks(Map<String, String> outputs, String mode) {
    List<String> leaks = new ArrayList<>();
    outputs.forEach((where, text) -> PLANTED.stream().filter(text::contains)
        .forEach(secret -> leaks.add(where + " holds " + secret)));
    long outputsRead = outputs.size();
    System.out.printf("[security] %s mode: %d outputs read; secrets leaked %d%n", mode, outputsRead, leaks.size());
    assertThat(leaks).isEmpty();
  }

  private interface StatusFile {
    String read() throws Exception;
  }

  private void awaitContains(StatusFile status, String text, String what) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .failFast("the process exited", () -> !process.isAlive())
          .until(() -> status.read().replaceAll("\"\\s*:\\s*", "\":").contains(text));
    } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
      throw new AssertionError(what + " not reached; status " + status.read() + "\nlog:\n"
          + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
