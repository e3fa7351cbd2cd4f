package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ServiceView;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift on a real stack: a person runs `docker compose` by hand against the release's project
 * (another definition of web, and a service the commit does not define). Without selfHeal that is only
 * reported; with it, Backstop applies the running commit again and the stack is what it applied.
 */
class DriftIT {

  @TempDir Path tmp;
  private final String project = "bsdrift-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private Process daemon;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1", "--remove-orphans"), tmp);
    dockerHosts.close();
  }

  @Test
  void driftIsReportedThenRepairedOnceSelfHealIsOn() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path manifest = manifests.resolve("demo.yaml");
    Path state = tmp.resolve("state");
    StatusStore store = new StatusStore(state);
    DemoRepo.write(manifest, manifest(repo, false));
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()),
        "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(LocalModeIT.freePort()));
    daemon = pb.redirectErrorStream(true).redirectOutput(tmp.resolve("backstop.log").toFile()).start();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .until(() -> store.read("demo").map(s -> s.getPhase() == Phase.Healthy).orElse(false));
    assertThat(Conditions.find(store.read("demo").orElseThrow().getConditions(), ConditionType.Drifted)).isNull();

    // By hand: web from another definition, and a container nobody defined, both in the project.
    Path hand = Files.createDirectories(tmp.resolve("by-hand"));
    Files.writeString(hand.resolve("compose.yaml"), """
        services:
          web:
            image: busybox:1.36
            init: true
            command: ["sleep", "3600"]
          stray:
            image: busybox:1.36
            init: true
            command: ["sleep", "3600"]
        """);
    DemoRepo.run(List.of("docker", "compose", "-p", project, "--project-directory", hand.toString(), "up", "-d",
        "web", "stray"), hand);
    String handMade = web().id();

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      StagingReleaseStatus s = store.read("demo").orElseThrow();
      var drifted = Conditions.find(s.getConditions(), ConditionType.Drifted);
      assertThat(drifted).isNotNull();
      assertThat(drifted.getMessage()).contains("web: definition changed").contains("stray: extra");
    });
    // Reported only: several reconciles (1 s interval) later, the hand-made container still runs.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
        .until(() -> web().id().equals(handMade));
    assertThat(store.read("demo").orElseThrow().getHistory()).hasSize(1);

    long healOn = System.nanoTime();
    DemoRepo.write(manifest, manifest(repo, true));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      StagingReleaseStatus s = store.read("demo").orElseThrow();
      assertThat(s.getPhase()).isEqualTo(Phase.Healthy);
      assertThat(s.getHistory()).hasSize(2);
      HistoryEntry heal = s.getHistory().get(0);
      assertThat(heal.getTrigger()).isEqualTo(Trigger.Drift);
      assertThat(heal.getResult()).isEqualTo(Result.Succeeded);
      assertThat(Conditions.find(s.getConditions(), ConditionType.Drifted)).isNull();
    });
    System.out.printf("[figures] selfHeal on -> drift repaired and verified: %.1f s%n",
        (System.nanoTime() - healOn) / 1e9);
    ContainerState web = web();
    assertThat(web.id()).isNotEqualTo(handMade);
    assertThat(ServiceView.commitOf(web.workingDir())).isEqualTo(v1);
    assertThat(web.health()).isEqualTo(ContainerState.Health.HEALTHY);
    assertThat(docker.containers(project, null)).extracting(ContainerState::service).containsExactly("web");
  }

  private ContainerState web() throws Exception {
    return docker.containers(project, null).stream().filter(c -> "web".equals(c.service())).findFirst()
        .orElseThrow();
  }

  private String manifest(DemoRepo repo, boolean selfHeal) {
    String m = DemoRepo.manifest("demo", repo.dir, "v1", project);
    return selfHeal ? m.replace("    projectName: " + project + "\n",
        "    projectName: " + project + "\n    selfHeal: true\n") : m;
  }
}
