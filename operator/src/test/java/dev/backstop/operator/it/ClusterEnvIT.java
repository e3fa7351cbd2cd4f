package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stack variables from Kubernetes, end to end: the built jar's `backstop operator` against the
 * mock API server, a real git repository and the real Compose CLI. A Secret's value reaches the
 * container's environment (by interpolation and through the written env_file), never the status,
 * events or the operator's debug log; rotating the Secret re-applies the running commit once, and
 * history names the key.
 */
class ClusterEnvIT {

  private static final String NS = "default";

  @TempDir Path tmp;
  private final String project = "bsenv-" + UUID.randomUUID().toString().substring(0, 8);
  // Quotes, a dollar and a backslash: the env file must carry it literally.
  private final String secret = "pw-" + UUID.randomUUID() + "-it's $HOME \\ \"q\"";
  private final String rotated = "rotated-" + UUID.randomUUID();
  private MockCluster cluster;
  private Process operator;

  @AfterEach
  void tearDown() throws Exception {
    if (operator != null) {
      operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aSecretsVariableReachesTheContainerButNeverStatusEventsOrLogsAndARotationReappliesOnce()
      throws Exception {
    Path repo = repo();
    cluster = new MockCluster();
    cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("app-env")
        .endMetadata().withStringData(Map.of("DB_PASSWORD", secret, "not.a-name", "skipped")).build()).create();
    cluster.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("app-config").endMetadata().withData(Map.of("GREETING", "hello-from-configmap")).build()).create();
    startOperator(LocalModeIT.freePort());

    cluster.client.resource(release("app", "app-env")).create();
    StagingReleaseStatus ready = awaitStatus("app", "Healthy", s -> s.getPhase() == Phase.Healthy
        && isTrue(s, ConditionType.Ready));
    assertThat(ready.getAppliedEnv().getKeys()).containsExactly("DB_PASSWORD", "GREETING", "LITERAL");
    assertThat(ready.getAppliedEnv().getFingerprint()).hasSize(64);

    assertThat(containerEnv("DB_PASSWORD")).isEqualTo(secret);
    assertThat(containerEnv("FROM_INTERPOLATION")).isEqualTo(secret);
    assertThat(containerEnv("GREETING")).isEqualTo("hello-from-configmap");
    assertThat(containerEnv("LITERAL")).isEqualTo("literal-value");
    Path envFile = checkoutEnvFile(ready.getCurrent().getCommit());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile))).isEqualTo("rw-------");

    // Rotate the Secret: the watch reconciles, the same commit is applied again, once.
    cluster.client.secrets().inNamespace(NS).withName("app-env").edit(s -> new SecretBuilder(s).withData(null)
        .withStringData(Map.of("DB_PASSWORD", rotated)).build());
    StagingReleaseStatus reapplied = awaitStatus("app", "re-applied with the rotated Secret",
        s -> s.getPhase() == Phase.Healthy && s.getHistory().get(0).getTrigger() == Trigger.EnvChange
            && s.getHistory().get(0).getResult() == dev.backstop.operator.api.v1alpha1.Result.Succeeded);
    HistoryEntry entry = reapplied.getHistory().get(0);
    assertThat(entry.getTo().getCommit()).isEqualTo(ready.getCurrent().getCommit());
    // Only values changed: status keeps no per-key hash, so the names the change may be in are listed.
    assertThat(entry.getReason()).contains("stack variables changed").contains("DB_PASSWORD");
    assertThat(containerEnv("DB_PASSWORD")).isEqualTo(rotated);
    assertThat(containerEnv("FROM_INTERPOLATION")).isEqualTo(rotated);
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() ->
        release("app").get().getStatus().getHistory().stream().filter(h -> h.getTrigger() == Trigger.EnvChange)
            .count() == 1);

    // A release naming a Secret that does not exist is not applied, and says why.
    cluster.client.resource(release("missing", "no-such-secret")).create();
    StagingReleaseStatus blocked = awaitStatus("missing", "SecretNotFound",
        s -> s.getConditions().stream().anyMatch(c -> c.getType() == ConditionType.Ready
            && c.getStatus() == ConditionStatus.False && c.getReason() == Reason.SecretNotFound));
    assertThat(condition(blocked, ConditionType.Ready).getMessage())
        .contains("no-such-secret").contains("spec.compose.envFrom");
    assertThat(blocked.getCurrent()).isNull();

    String everything = Serialization.asJson(release("app").get().getStatus())
        + Serialization.asJson(release("missing").get().getStatus())
        + Serialization.asJson(cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
            .map(Event::getMessage).toList())
        + Files.readString(tmp.resolve("operator.log"));
    for (String value : List.of(secret, rotated, "hello-from-configmap", "literal-value")) {
      assertThat(everything).as("status, events and log").doesNotContain(value);
    }
    ClusterModeIT.assertGranted(cluster.operatorCalls());
  }

  private Path repo() throws Exception {
    Path dir = tmp.resolve("repo");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("compose.yaml"), """
        services:
          app:
            image: busybox:1.36
            command: ["sleep", "3600"]
            init: true
            stop_grace_period: 1s
            env_file: .env
            environment:
              FROM_INTERPOLATION: "${DB_PASSWORD}"
        """);
    Files.writeString(dir.resolve(".gitignore"), ".env\n");
    for (List<String> cmd : List.of(List.of("git", "init", "-q", "-b", "main"),
        List.of("git", "add", "-A"),
        List.of("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"))) {
      DemoRepo.run(cmd, dir);
    }
    return dir;
  }

  private StagingRelease release(String name, String secretName) {
    return Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
          namespace: %s
        spec:
          source:
            url: file://%s
            ref: main
          compose:
            projectName: %s
            envFile: .env
            envFrom:
              - secretRef:
                  name: %s
              - configMapRef:
                  name: app-config
            env:
              - name: LITERAL
                value: literal-value
          health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(name, NS, tmp.resolve("repo"), name.equals("app") ? project : project + "-x", secretName),
        StagingRelease.class);
  }

  private String containerEnv(String name) throws Exception {
    String id = DemoRepo.run(List.of("docker", "ps", "-q", "--filter", "label=com.docker.compose.project=" + project),
        tmp).trim();
    assertThat(id).as("one container of " + project).isNotEmpty().doesNotContain("\n");
    // The busybox image has `env` but no printenv.
    String out = DemoRepo.run(List.of("docker", "exec", id, "env"), tmp);
    return out.lines().filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
        .findFirst().orElse(null);
  }

  private Path checkoutEnvFile(String commit) throws Exception {
    try (Stream<Path> files = Files.walk(tmp.resolve("state"))) {
      return files.filter(p -> p.getFileName().toString().equals(".env") && p.toString().contains(commit))
          .findFirst().orElseThrow(() -> new AssertionError("no .env in the checkout of " + commit));
    }
  }

  private void startOperator(int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-Dbackstop.debug=true", "-jar", LocalModeIT.jar(),
        "operator", "--state", tmp.resolve("state").toString(), "--namespaces", NS, "--bind", "127.0.0.1",
        "--port", String.valueOf(port), "--allow-local-sources");
    pb.environment().put("KUBECONFIG", cluster.operatorKubeconfig(tmp).toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("operator.log").toFile()));
    operator = pb.start();
  }

  private Resource<StagingRelease> release(String name) {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName(name);
  }

  private StagingReleaseStatus awaitStatus(String name, String what, Predicate<StagingReleaseStatus> done)
      throws Exception {
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .failFast("the operator process exited", () -> !operator.isAlive()).until(() -> {
            StagingRelease r = release(name).get();
            return r != null && r.getStatus() != null && done.test(r.getStatus());
          });
    } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
      StagingRelease r = release(name).get();
      throw new AssertionError(what + " not reached; status " + (r == null ? "-" : Serialization.asJson(r.getStatus()))
          + "\noperator log:\n" + Files.readString(tmp.resolve("operator.log")), e);
    }
    return release(name).get().getStatus();
  }

  private static boolean isTrue(StagingReleaseStatus s, ConditionType type) {
    Condition c = condition(s, type);
    return c != null && c.getStatus() == ConditionStatus.True;
  }

  private static Condition condition(StagingReleaseStatus s, ConditionType type) {
    return s.getConditions().stream().filter(c -> c.getType() == type).findFirst().orElse(null);
  }
}
