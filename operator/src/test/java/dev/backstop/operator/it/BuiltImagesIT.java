package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack that builds its app from the repository, end to end with the built jar in local mode:
 * one image per commit, a build that fails leaves the stack alone, and the automatic rollback runs
 * the kept image of last-known-good without a build and without the git remote.
 */
class BuiltImagesIT {

  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;
  private final String project = "bsbi-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private final HttpClient http = HttpClient.newHttpClient();
  private Process daemon;
  private int appPort;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    BuiltStack.cleanUp(project, tmp);
    dockerHosts.close();
  }

  @Test
  void buildsEachCommitOnceKeepsV1OnABrokenBuildAndRollsBackToV1sImageWithoutBuildingOrGit()
      throws Exception {
    BuiltStack repo = BuiltStack.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    String v2 = repo.commit("v2");
    String v3 = repo.commit("v3");
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    Path manifest = manifests.resolve("app.yaml");
    StatusStore store = new StatusStore(state);
    appPort = LocalModeIT.freePort();

    DemoRepo.write(manifest, DemoRepo.manifest("app", repo.dir, "v1", project));
    startDaemon(manifests, state);

    awaitStatus(store, s -> s.getPhase() == Phase.Healthy, "v1 healthy");
    String v1Image = project + "-web:" + v1.substring(0, 12);
    String v1Id = BuiltStack.imageId(v1Image, tmp);
    String v1Created = BuiltStack.created(v1Image, tmp);
    assertServing(v1Id, "v1");
    assertThat(get("/note")).as("build arg from compose.yaml").isEqualTo("built-by-compose");
    assertThat(label(v1Image, "dev.backstop.commit")).isEqualTo(v1);

    // v3's Dockerfile does not parse: the build fails before any container is touched.
    String v1Container = web().id();
    DemoRepo.write(manifest, DemoRepo.manifest("app", repo.dir, "v3", project));
    awaitStatus(store, s -> s.getQuarantined().stream().anyMatch(q -> q.getCommit().equals(v3)), "v3 quarantined");
    StagingReleaseStatus broken = store.read("app").orElseThrow();
    var ready = Conditions.find(broken.getConditions(), ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.BuildFailed);
    assertThat(ready.getMessage()).contains("docker compose build failed").containsIgnoringCase("FORM");
    assertThat(broken.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(web().id()).as("the v1 container was not recreated").isEqualTo(v1Container);
    assertServing(v1Id, "v1");

    // v2 builds, then fails its healthcheck. The remote goes away once v2 is checked out, so the
    // rollback has only the kept checkout and the kept image of v1.
    DemoRepo.write(manifest, DemoRepo.manifest("app", repo.dir, "v2", project));
    Path v2Checkout = store.releaseDir("app").resolve("checkouts").resolve(v2);
    await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> Files.isDirectory(v2Checkout));
    DemoRepo.run(List.of("rm", "-rf", repo.dir.toString()), tmp);
    long logBeforeRollback = Files.size(log());

    awaitStatus(store, s -> s.getPhase() == Phase.RolledBack, "rolled back to v1");
    StagingReleaseStatus rolledBack = store.read("app").orElseThrow();
    assertThat(rolledBack.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(rolledBack.getQuarantined()).anySatisfy(q -> {
      assertThat(q.getCommit()).isEqualTo(v2);
      assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed);
    });
    String v2Image = project + "-web:" + v2.substring(0, 12);
    assertThat(BuiltStack.imageId(v2Image, tmp)).as("v2 has an image of its own").isNotEqualTo(v1Id);
    assertServing(v1Id, "v1");
    assertThat(BuiltStack.created(v1Image, tmp)).as("v1's image was not rebuilt").isEqualTo(v1Created);
    String rollbackLog = Files.readString(log()).substring((int) logBeforeRollback);
    assertThat(rollbackLog)
        .contains("rolling back to the kept images of " + v1.substring(0, 12) + ", no build")
        .doesNotContain("building [web] at " + v1.substring(0, 12))
        .doesNotContain("were gone");
    assertThat(rolledBack.getLastRollback().getReason()).doesNotContain("rebuilt");
    assertThat(Files.readString(log())).as("each commit built once, v3's build failed")
        .contains("built [web] at " + v1.substring(0, 12), "built [web] at " + v2.substring(0, 12),
            "building [web] at " + v3.substring(0, 12))
        .doesNotContain("built [web] at " + v3.substring(0, 12));
  }

  private void startDaemon(Path manifests, Path state) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()),
        "--stack-env", "APP_PORT");
    pb.environment().put("APP_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    daemon = pb.start();
  }

  private Path log() {
    return tmp.resolve("backstop.log");
  }

  private void awaitStatus(StatusStore store, Predicate<StagingReleaseStatus> done, String what) throws Exception {
    try {
      await().atMost(BOUND).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("app").map(done::test).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not reached; status: " + store.read("app").orElse(null)
          + "\nlog:\n" + Files.readString(log()), e);
    }
  }

  /** The web container runs {@code imageId}, is healthy, and the app answers {@code version}. */
  private void assertServing(String imageId, String version) throws Exception {
    ContainerState web = web();
    assertThat(web.running()).isTrue();
    assertThat(web.health()).isEqualTo(ContainerState.Health.HEALTHY);
    String running = DemoRepo.run(List.of("docker", "inspect", "--format", "{{.Image}}", web.id()), tmp).strip();
    assertThat(running).as("image id of the running container").isEqualTo(imageId);
    assertThat(get("/version")).isEqualTo(version);
  }

  private ContainerState web() throws Exception {
    List<ContainerState> containers = docker.containers(project, null);
    assertThat(containers).extracting(ContainerState::service).containsExactly("web");
    return containers.get(0);
  }

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim();
  }

  private String label(String image, String label) throws Exception {
    return DemoRepo.run(List.of("docker", "image", "inspect", "--format",
        "{{index .Config.Labels \"" + label + "\"}}", image), tmp).strip();
  }
}
