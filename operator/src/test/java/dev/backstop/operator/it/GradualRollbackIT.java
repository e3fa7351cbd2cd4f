package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.ServiceStatus;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ServiceView;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Gradual rollback on a real two-service Compose stack, run by the built jar in local mode: v2
 * breaks only api, so only api goes back to v1 while web keeps serving v2; then, on v3, a
 * `backstop rollback --service web` moves only web back. Asserted on the containers that run
 * (their checkout, what they serve), not only on status.
 */
class GradualRollbackIT {

  // Each service serves its own directory of the commit's checkout, so what it serves is its commit.
  private static String service(String name, String portVariable) {
    return """
          %s:
            image: busybox:1.36
            init: true
            stop_grace_period: 2s
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            volumes: ["./%s:/www:ro"]
            ports: ["127.0.0.1:${%s}:8080"]
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
              interval: 1s
              timeout: 2s
              retries: 2
        """.formatted(name, name, portVariable);
  }

  @TempDir Path tmp;
  private final String project = "bsgr-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> daemons = new ArrayList<>();
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private final HttpClient http = HttpClient.newHttpClient();
  private Path repo;
  private Path manifest;
  private Path state;
  private StatusStore store;
  private int apiPort;
  private int webPort;

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(repo.resolve("compose.yaml"), "services:\n" + service("api", "API_PORT") + service("web", "WEB_PORT"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "it@backstop.dev");
    git("config", "user.name", "Backstop IT");
    version("v1", true, true);
    version("v2", false, true); // api loses /health, web is fine
    version("v3", true, true);
    manifest = Files.createDirectories(tmp.resolve("manifests")).resolve("demo.yaml");
    state = tmp.resolve("state");
    store = new StatusStore(state);
    apiPort = LocalModeIT.freePort();
    webPort = LocalModeIT.freePort();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    dockerHosts.close();
  }

  @Test
  void scopeServiceLeavesTheHealthyServiceOnTheNewCommitAndAServiceRollbackByHandMovesOnlyThatService()
      throws Exception {
    String v1 = commit("v1");
    String v2 = commit("v2");
    String v3 = commit("v3");
    DemoRepo.write(manifest, manifest("v1"));
    startDaemon();
    awaitPhase(Phase.Healthy, v1);
    assertServes("api", v1, "api v1");
    assertServes("web", v1, "web v1");

    DemoRepo.write(manifest, manifest("v2"));
    awaitPhase(Phase.PartiallyRolledBack, v2);

    assertServes("api", v1, "api v1");
    assertServes("web", v2, "web v2");
    StagingReleaseStatus s = store.read("demo").orElseThrow();
    assertThat(s.getCurrent().getCommit()).isEqualTo(v2);
    assertThat(s.getLastKnownGood().getCommit()).isEqualTo(v1);
    assertThat(s.getServices()).extracting(x -> x.getName() + "@" + x.getCommit())
        .containsExactly("api@" + v1, "web@" + v2);
    assertThat(s.getRolledBackServices()).singleElement().satisfies(r -> {
      assertThat(r.getName()).isEqualTo("api");
      assertThat(r.getRevision().getCommit()).isEqualTo(v1);
    });
    var ready = Conditions.find(s.getConditions(), ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.PartiallyRolledBack);
    assertThat(ready.getMessage()).contains("service api on v1", "the rest on v2");
    assertThat(s.getLastRollback().getServicesAffected()).containsExactly("api");
    assertThat(s.getHistory().get(0).getServices()).containsExactly("api");

    // A new commit applies every service again.
    DemoRepo.write(manifest, manifest("v3"));
    awaitPhase(Phase.Healthy, v3);
    assertServes("api", v3, "api v3");
    assertServes("web", v3, "web v3");
    assertThat(store.read("demo").orElseThrow().getRolledBackServices()).isEmpty();

    Process cli = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "rollback", "demo",
        "--service", "web", "--state", state.toString(), "--wait", "60s").redirectErrorStream(true).start();
    String said = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).as(said).isZero();
    assertThat(said).contains("rolling back web to v1", "the other services stay on v3");

    awaitPhase(Phase.PartiallyRolledBack, v3);
    assertServes("api", v3, "api v3");
    assertServes("web", v1, "web v1");
    assertThat(store.read("demo").orElseThrow().getServices()).extracting(ServiceStatus::getCommit)
        .containsExactly(v3, v1);
  }

  @Test
  void aServiceTheReleaseDoesNotRunIsRefusedInOneSentence() throws Exception {
    String v1 = commit("v1");
    DemoRepo.write(manifest, manifest("v1"));
    startDaemon();
    awaitPhase(Phase.Healthy, v1);

    Process cli = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "rollback", "demo",
        "--service", "db", "--state", state.toString(), "--wait", "60s").redirectErrorStream(true).start();
    String said = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(90, TimeUnit.SECONDS)).isTrue();

    assertThat(cli.exitValue()).isEqualTo(1);
    assertThat(said).contains("refused: the release runs no service db (it runs api, web)").doesNotContain("Exception");
    assertServes("web", v1, "web v1");
  }

  private String manifest(String ref) {
    return DemoRepo.manifest("demo", repo, ref, project) + """
          rollback:
            scope: Service
        """;
  }

  private void version(String tag, boolean apiHealthy, boolean webHealthy) throws Exception {
    for (String service : List.of("api", "web")) {
      Path www = Files.createDirectories(repo.resolve(service));
      Files.writeString(www.resolve("version"), service + " " + tag + "\n");
      Path health = www.resolve("health");
      if (service.equals("api") ? apiHealthy : webHealthy) {
        Files.writeString(health, "ok\n");
      } else {
        Files.deleteIfExists(health);
      }
    }
    git("add", "-A");
    git("commit", "-qm", tag);
    git("tag", tag);
  }

  private void git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    DemoRepo.run(command, repo);
  }

  private String commit(String ref) throws Exception {
    return DemoRepo.run(List.of("git", "rev-parse", ref + "^{commit}"), repo).trim();
  }

  private void startDaemon() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifest.getParent().toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()),
        "--stack-env", "API_PORT,WEB_PORT");
    pb.environment().put("API_PORT", String.valueOf(apiPort));
    pb.environment().put("WEB_PORT", String.valueOf(webPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemons.add(pb.start());
  }

  private void awaitPhase(Phase phase, String current) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> store.read("demo")
          .map(s -> s.getPhase() == phase && s.getCurrent() != null && current.equals(s.getCurrent().getCommit()))
          .orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("phase " + phase + " on " + current + " not reached; status:\n"
          + store.read("demo").map(Object::toString).orElse("none") + "\nlog:\n"
          + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }

  /** The service's one container runs from {@code commit}'s checkout, is healthy and serves {@code version}. */
  private void assertServes(String service, String commit, String version) throws Exception {
    List<ContainerState> containers = docker.containers(project, null).stream()
        .filter(c -> c.service().equals(service)).toList();
    assertThat(containers).hasSize(1);
    ContainerState c = containers.get(0);
    assertThat(c.running()).isTrue();
    assertThat(ServiceView.commitOf(c.workingDir())).as(service + "'s checkout (working_dir label)").isEqualTo(commit);
    int port = service.equals("api") ? apiPort : webPort;
    await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(java.io.IOException.class)
        .untilAsserted(() -> assertThat(http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/version")).build(),
            HttpResponse.BodyHandlers.ofString()).body().trim()).isEqualTo(version));
  }
}
