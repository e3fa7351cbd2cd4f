package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar in local mode with a secret in its own environment and a Baseline ceiling: a
 * stack that interpolates the secret gets an empty value, a privileged commit and a release asking
 * for a looser policy are refused with Ready=False PolicyViolation, and neither starts anything.
 */
class StackIsolationIT {

  private static final String SECRET = "s3cr3t-" + UUID.randomUUID();

  @TempDir Path tmp;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private Process daemon;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (String p : List.of("env", "priv", "loose")) {
      DemoRepo.run(List.of("docker", "compose", "-p", "bsiso-" + p + "-" + id, "down", "-t", "0"), tmp);
    }
  }

  @Test
  void stacksSeeNoOperatorVariableAndPolicyViolationsStartNothing() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    git(repo, "init", "-q", "-b", "main");
    Files.writeString(repo.resolve("compose.yaml"), """
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            init: true
            environment:
              LEAK: "${BACKSTOP_TEST_SECRET:-}"
              PASSED: "${DEMO_PORT:-}"
        """);
    commit(repo, "env");
    git(repo, "checkout", "-q", "-b", "privileged");
    Files.writeString(repo.resolve("compose.yaml"), """
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            init: true
            privileged: true
        """);
    commit(repo, "privileged");

    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    DemoRepo.write(manifests.resolve("env.yaml"), manifest("env", repo, "main", ""));
    DemoRepo.write(manifests.resolve("priv.yaml"), manifest("priv", repo, "privileged", ""));
    DemoRepo.write(manifests.resolve("loose.yaml"), manifest("loose", repo, "main", "    policy: Privileged\n"));
    Path state = tmp.resolve("state");
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run",
        "--manifests", manifests.toString(), "--state", state.toString(),
        "--port", String.valueOf(LocalModeIT.freePort()),
        "--compose-policy", "Baseline", "--stack-env", "DEMO_PORT");
    pb.environment().put("BACKSTOP_TEST_SECRET", SECRET);
    pb.environment().put("DEMO_PORT", "12345");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();
    StatusStore store = new StatusStore(state);

    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
        store.read("env").map(s -> s.getPhase() == Phase.Healthy).orElse(false));
    String container = DemoRepo.run(List.of("docker", "ps", "-q", "--filter",
        "label=com.docker.compose.project=bsiso-env-" + id), tmp).strip();
    String env = DemoRepo.run(List.of("docker", "inspect", "--format", "{{json .Config.Env}}", container), tmp);
    assertThat(env).contains("\"LEAK=\"", "\"PASSED=12345\"").doesNotContain(SECRET);

    Condition priv = awaitReady(store, "priv");
    assertThat(priv.getMessage()).contains("service web: privileged: true", "Baseline");
    StagingReleaseStatus privStatus = store.read("priv").orElseThrow();
    assertThat(privStatus.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.PolicyViolation));

    Condition loose = awaitReady(store, "loose");
    assertThat(loose.getMessage()).contains("spec.compose.policy Privileged is looser than this operator's ceiling Baseline");

    for (String p : List.of("priv", "loose")) {
      assertThat(DemoRepo.run(List.of("docker", "ps", "-aq", "--filter",
          "label=com.docker.compose.project=bsiso-" + p + "-" + id), tmp)).as(p).isBlank();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("home"))))
        .isEqualTo("rwx------");
    assertThat(Files.readString(tmp.resolve("backstop.log"))).doesNotContain(SECRET);
  }

  private static Condition awaitReady(StatusStore store, String name) {
    return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
        store.read(name).flatMap(s -> s.getConditions().stream()
            .filter(c -> c.getType() == ConditionType.Ready && c.getStatus() == ConditionStatus.False
                && c.getReason() == Reason.PolicyViolation)
            .findFirst()).orElse(null), c -> c != null);
  }

  private String manifest(String name, Path repo, String ref, String policy) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
        spec:
          source:
            url: file://%s
            ref: %s
          compose:
            projectName: bsiso-%s-%s
        %s  health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(name, repo, ref, name, id, policy);
  }

  private static void commit(Path repo, String message) throws Exception {
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message);
  }

  private static void git(Path repo, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    DemoRepo.run(command, repo);
  }
}
