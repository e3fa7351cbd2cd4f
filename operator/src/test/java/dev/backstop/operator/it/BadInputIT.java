package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.local.LocalDaemon;
import dev.backstop.operator.local.ManifestProblem;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input beside a healthy release, in one local daemon with the real adapters: each gives
 * Ready=False or Stalled=True with a reason and a message a person can act on, creates no
 * container, and the healthy release keeps its container throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {

  @TempDir static Path tmp;
  private final String prefix = "bsbad-" + UUID.randomUUID().toString().substring(0, 6);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private HealthMonitor health;
  private LocalDaemon daemon;
  private StatusStore store;
  private Path manifests;
  private Path repo;
  private String goodContainer;

  @BeforeAll
  void startDaemonWithGoodAndBadManifests() throws Exception {
    repo = DemoRepo.create(tmp.resolve("repo")).dir;
    // Two more commits on top of v3: compose files that are invalid, and none at all.
    Files.writeString(repo.resolve("compose.yaml"), "services:\n  web:\n    image: [busybox, 1.36]\n");
    DemoRepo.run(List.of("git", "commit", "-qam", "invalid compose"), repo);
    DemoRepo.run(List.of("git", "tag", "bad-compose"), repo);
    DemoRepo.run(List.of("git", "rm", "-q", "compose.yaml"), repo);
    DemoRepo.run(List.of("git", "commit", "-qm", "no compose file"), repo);
    DemoRepo.run(List.of("git", "tag", "no-compose"), repo);

    manifests = Files.createDirectories(tmp.resolve("manifests"));
    write("good", "v1");
    write("unknown-ref", "v9");
    write("bad-compose", "bad-compose");
    write("no-compose", "no-compose");
    Files.writeString(manifests.resolve("unreadable.yaml"),
        DemoRepo.manifest("unreadable", tmp.resolve("nowhere"), "v1", prefix + "-unreadable"));
    Files.writeString(manifests.resolve("not-yaml.yaml"), "kind: StagingRelease\nmetadata: {name: [oops\n");
    Files.writeString(manifests.resolve("no-ref.yaml"), """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: no-ref
        spec:
          source:
            url: file:///somewhere
        """);

    Path state = tmp.resolve("state");
    store = new StatusStore(state);
    health = new HealthMonitor(new LiveProbes(dockerHosts), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(dockerHosts, new JGitSourceRepository(state.resolve("git-cache"), System::getenv),
        new DockerComposeCli(), docker, new DockerDatabaseBackups(dockerHosts), health, Clock.systemUTC());
    daemon = new LocalDaemon(manifests, state, loop, health, dockerHosts, Clock.systemUTC(), 4, null);
    daemon.start("127.0.0.1", -1);
    await().atMost(Duration.ofSeconds(120)).until(() -> phase("good") == Phase.Healthy);
    goodContainer = containers("good").get(0).id();
  }

  @AfterAll
  void stop() throws Exception {
    daemon.close();
    health.close();
    for (String name : List.of("good", "bad-compose", "no-compose", "unknown-ref", "unreadable")) {
      DemoRepo.run(List.of("docker", "compose", "-p", prefix + "-" + name, "down", "-t", "1"), tmp);
    }
    dockerHosts.close();
  }

  @Test
  void refThatDoesNotExist() {
    Condition ready = awaitReady("unknown-ref", Reason.RefNotFound);
    assertThat(ready.getMessage()).contains("v9");
    assertThat(condition("unknown-ref", ConditionType.Stalled).getReason()).isEqualTo(Reason.RefNotFound);
    assertNothingRuns("unknown-ref");
  }

  @Test
  void repositoryThatCannotBeRead() {
    Condition ready = awaitReady("unreadable", Reason.SourceUnavailable);
    assertThat(ready.getMessage()).contains("nowhere");
    assertNothingRuns("unreadable");
  }

  @Test
  void composeFileThatIsInvalid() {
    Condition ready = awaitReady("bad-compose", Reason.ComposeInvalid);
    assertThat(ready.getMessage()).contains("image");
    assertThat(condition("bad-compose", ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    assertNothingRuns("bad-compose");
  }

  @Test
  void composeFileThatIsMissing() {
    Condition ready = awaitReady("no-compose", Reason.ComposeInvalid);
    assertThat(ready.getMessage()).containsIgnoringCase("no configuration file");
    assertNothingRuns("no-compose");
  }

  @Test
  void manifestThatIsNotYaml() {
    await().atMost(Duration.ofSeconds(30)).until(() -> problem("not-yaml.yaml") != null);
    ManifestProblem p = problem("not-yaml.yaml");
    assertThat(p.message()).containsIgnoringCase("line").doesNotContain("Exception", "com.fasterxml");
  }

  @Test
  void manifestThatMissesARequiredField() {
    Condition ready = awaitReady("no-ref", Reason.InvalidManifest);
    assertThat(ready.getMessage()).contains("spec.source.ref");
    assertThat(ready.getStatus()).isEqualTo(ConditionStatus.False);
  }

  @Test
  void aRunningReleaseMovedToInvalidComposeFilesKeepsItsContainer() throws Exception {
    write("good", "bad-compose");
    awaitReady("good", Reason.ComposeInvalid);
    assertThat(phase("good")).isEqualTo(Phase.Healthy);
    assertThat(containers("good")).singleElement().satisfies(c -> assertThat(c.id()).isEqualTo(goodContainer));
    write("good", "v1");
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("good").getStatus() == ConditionStatus.True);
  }

  @Test
  void theHealthyReleaseWasNeverTouched() throws Exception {
    awaitReady("bad-compose", Reason.ComposeInvalid);
    awaitReady("unknown-ref", Reason.RefNotFound);
    assertThat(containers("good")).singleElement().satisfies(c -> {
      assertThat(c.id()).isEqualTo(goodContainer);
      assertThat(c.health()).isEqualTo(ContainerState.Health.HEALTHY);
    });
  }

  private void write(String name, String ref) throws Exception {
    DemoRepo.write(manifests.resolve(name + ".yaml"), DemoRepo.manifest(name, repo, ref, prefix + "-" + name));
  }

  private Condition awaitReady(String name, Reason reason) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> ready(name) != null && ready(name).getReason() == reason);
    Condition ready = ready(name);
    assertThat(ready.getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(ready.getMessage()).isNotBlank().doesNotContain("Exception");
    return ready;
  }

  private Condition ready(String name) {
    return condition(name, ConditionType.Ready);
  }

  private Condition condition(String name, ConditionType type) {
    return store.read(name).map(s -> Conditions.find(s.getConditions(), type)).orElse(null);
  }

  private Phase phase(String name) {
    return store.read(name).map(StagingReleaseStatus::getPhase).orElse(null);
  }

  private ManifestProblem problem(String file) {
    return store.readProblems().stream().filter(p -> p.file().getFileName().toString().equals(file)).findFirst().orElse(null);
  }

  private List<ContainerState> containers(String name) throws Exception {
    return docker.containers(prefix + "-" + name, null);
  }

  private void assertNothingRuns(String name) {
    try {
      assertThat(containers(name)).as("containers of " + name).isEmpty();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

}
