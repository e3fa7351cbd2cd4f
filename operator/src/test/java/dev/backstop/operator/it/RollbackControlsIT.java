package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.local.StatusStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manual controls end to end: the built jar in local mode and its CLI, the demo repository,
 * the real Compose CLI and Docker engine. Asserts on the containers that run.
 */
class RollbackControlsIT {

  @TempDir Path tmp;
  private final String project = "bsrb-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> processes = new ArrayList<>();
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private DemoRepo repo;
  private Path manifest;
  private Path state;
  private StatusStore store;
  private int appPort;

  @BeforeEach
  void setUp() throws Exception {
    repo = DemoRepo.create(tmp.resolve("repo"));
    // A fourth, healthy commit, so that v1 is older than the default rollback target v3.
    Files.writeString(repo.dir.resolve("www/version"), "v4\n");
    DemoRepo.run(List.of("git", "commit", "-qam", "v4: healthy"), repo.dir);
    DemoRepo.run(List.of("git", "tag", "v4"), repo.dir);
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    manifest = manifests.resolve("demo.yaml");
    state = tmp.resolve("state");
    store = new StatusStore(state);
    appPort = LocalModeIT.freePort();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    dockerHosts.close();
  }

  @Test
  void rollsBackToAnOlderHealthyCommitAndRefusesOneThatIsNotEligible() throws Exception {
    String v1 = repo.commit("v1");
    deploy("v1");
    deploy("v3");
    deploy("v4");

    Cli refused = cli("rollback", "demo", "--to", "v2");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("error: rollback refused: cannot roll back to v2: it names no commit that passed"
        + " verification in this release; eligible: v3 (" + repo.commit("v3").substring(0, 7) + "), v1 ("
        + v1.substring(0, 7) + ")");
    assertRunning(repo.commit("v4"), "v4");

    Cli accepted = cli("rollback", "demo", "--to", "v1");
    assertThat(accepted.exit()).as(accepted.err()).isZero();
    assertThat(accepted.out()).contains("rolling back to v1 (" + v1.substring(0, 7) + ")");
    StagingReleaseStatus s = awaitStatus("rolled back to v1",
        st -> st.getPhase() == Phase.RolledBack && v1.equals(st.getCurrent().getCommit()));
    assertRunning(v1, "v1");
    assertThat(s.getLastKnownGood().getCommit()).as("the commit rolled away from is not it").isEqualTo(v1);
    assertThat(s.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(repo.commit("v4"));
    assertThat(s.getLastRollback().getFrom().getRef()).isEqualTo("v4");
  }

  @Test
  void anEmergencyRollbackWorksWithTheGitRemoteDeleted() throws Exception {
    String v1 = repo.commit("v1");
    deploy("v1");
    deploy("v3");
    DemoRepo.run(List.of("rm", "-rf", repo.dir.toString()), tmp);

    Cli emergency = cli("rollback", "demo", "--emergency");
    assertThat(emergency.exit()).as(emergency.err()).isZero();
    StagingReleaseStatus s = awaitStatus("emergency rollback to v1",
        st -> st.getLastRollback() != null && st.getLastRollback().getResult() != null
            && st.getLastRollback().getResult().name().equals("Succeeded") && v1.equals(st.getCurrent().getCommit()));
    assertThat(s.getLastRollback().getManualVerificationRequired()).isTrue();
    assertThat(s.getLastKnownGood().getCommit()).isEqualTo(v1);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .untilAsserted(() -> assertRunning(v1, "v1"));

    // With nothing earlier than what runs, the next one is refused with the reason.
    Cli again = cli("rollback", "demo", "--emergency");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("no earlier healthy commit to roll back to");
  }

  @Test
  void suspendHoldsABrokenCommitUndeployedUntilResumed() throws Exception {
    String v1 = repo.commit("v1");
    String v2 = repo.commit("v2");
    deploy("v1");
    String container = webContainer().id();

    Cli suspend = cli("suspend", "demo");
    assertThat(suspend.exit()).as(suspend.err()).isZero();
    awaitStatus("suspended", st -> st.getPhase() == Phase.Suspended);
    DemoRepo.write(manifest, manifest("v2", false));
    awaitStatus("v2 seen", st -> v2.equals(st.getDesired().getCommit()));
    // Several reconciles at the 1 s interval, and the broken commit never runs.
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
        .until(() -> store.read("demo").orElseThrow().getPhase() == Phase.Suspended
            && v1.equals(store.read("demo").orElseThrow().getCurrent().getCommit()));
    assertRunning(v1, "v1");
    assertThat(webContainer().id()).as("not even recreated").isEqualTo(container);

    Cli rollback = cli("rollback", "demo");
    assertThat(rollback.exit()).isEqualTo(1);
    assertThat(rollback.err()).contains("suspended");

    Cli resume = cli("resume", "demo");
    assertThat(resume.exit()).as(resume.err()).isZero();
    StagingReleaseStatus s = awaitStatus("v2 deployed and rolled back",
        st -> st.getPhase() == Phase.RolledBack && v1.equals(st.getCurrent().getCommit()));
    assertThat(s.getQuarantined()).singleElement().satisfies(q -> {
      assertThat(q.getCommit()).isEqualTo(v2);
      assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed);
    });
    assertRunning(v1, "v1");
  }

  @Test
  void tagBeforeDeployTagsTheRunningCommitAndPushesIt() throws Exception {
    String v1 = repo.commit("v1");
    deploy("v1", true);
    deploy("v3", true);
    String tags = DemoRepo.run(List.of("git", "tag", "-l", "pre-deploy-*", "--format", "%(refname:short) %(objectname)"),
        repo.dir);
    assertThat(tags.strip()).matches("pre-deploy-\\d{8}-\\d{6} " + v1);
    assertThat(Files.readString(tmp.resolve("backstop.log"))).contains("PreDeployTagged");
  }

  @Test
  void aRefusedTagPushIsAWarningAndTheDeployGoesOn() throws Exception {
    // A read-only remote: git daemon serves fetches and refuses every push.
    int port = LocalModeIT.freePort();
    Process daemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--base-path=" + tmp,
        "--listen=127.0.0.1", "--port=" + port, tmp.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("git-daemon.log").toFile()).start();
    processes.add(daemon);
    String url = "git://127.0.0.1:" + port + "/repo";
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .failFast("git daemon exited", () -> !daemon.isAlive())
        .until(() -> exit(List.of("git", "ls-remote", url)) == 0);
    String v1 = repo.commit("v1");
    String v3 = repo.commit("v3");
    DemoRepo.write(manifest, manifest(url, "v1", true));
    startDaemon();
    awaitStatus("v1 healthy", st -> st.getPhase() == Phase.Healthy && v1.equals(st.getCurrent().getCommit()));
    DemoRepo.write(manifest, manifest(url, "v3", true));
    awaitStatus("v3 healthy", st -> st.getPhase() == Phase.Healthy && v3.equals(st.getCurrent().getCommit()));
    assertRunning(v3, "v3");

    String log = Files.readString(tmp.resolve("backstop.log"));
    assertThat(log).containsPattern("Warning\\s+PreDeployTagFailed\\s+tagged pre-deploy-\\d{8}-\\d{6} on "
        + v1.substring(0, 7) + " in the git cache, but pushing it failed");
    assertThat(DemoRepo.run(List.of("git", "tag", "-l", "pre-deploy-*"), repo.dir)).isBlank();
    try (Stream<Path> files = Files.walk(state)) {
      List<Path> cached = files.filter(p -> p.toString().contains("refs/tags/pre-deploy-")).toList();
      assertThat(cached).as("the tag is in the cache").singleElement()
          .satisfies(p -> assertThat(Files.readString(p).strip()).isEqualTo(v1));
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private void deploy(String ref) throws Exception {
    deploy(ref, false);
  }

  private void deploy(String ref, boolean tag) throws Exception {
    String commit = repo.commit(ref);
    DemoRepo.write(manifest, manifest(ref, tag));
    if (processes.isEmpty()) {
      startDaemon();
    }
    awaitStatus(ref + " healthy", st -> st.getPhase() == Phase.Healthy && commit.equals(st.getCurrent().getCommit()));
    assertRunning(commit, ref);
  }

  private String manifest(String ref, boolean tag) {
    return manifest("file://" + repo.dir, ref, tag);
  }

  private String manifest(String url, String ref, boolean tag) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: demo
        spec:
          source:
            url: %s
            ref: %s
            tagBeforeDeploy: %s
          compose:
            projectName: %s
          health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(url, ref, tag, project);
  }

  private void startDaemon() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifest.getParent().toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()),
        "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    processes.add(pb.start());
  }

  private record Cli(int exit, String out, String err) {}

  private Cli cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar()));
    command.addAll(List.of(args));
    command.addAll(List.of("--state", state.toString(), "--wait", "30s"));
    if (List.of(args).contains("suspend") || List.of(args).contains("resume")) {
      command.removeAll(List.of("--wait", "30s"));
    }
    Path out = Files.createTempFile(tmp, "cli", ".out");
    Path err = Files.createTempFile(tmp, "cli", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private int exit(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private StagingReleaseStatus awaitStatus(String what, Predicate<StagingReleaseStatus> done) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("demo").filter(done).isPresent());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not reached; status " + store.read("demo").map(s -> s.getPhase() + " "
          + s.getConditions()).orElse("none") + "; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
    return store.read("demo").orElseThrow();
  }

  private void assertRunning(String commit, String version) throws Exception {
    DemoRepo.assertRunning(docker, project, appPort, commit, version);
  }

  private ContainerState webContainer() throws Exception {
    return DemoRepo.webContainer(docker, project);
  }
}
