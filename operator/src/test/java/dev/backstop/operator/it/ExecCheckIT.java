package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
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
 * An exec check run through docker-java in a real Compose container, through the built jar in
 * local mode: the runbook's "redis answers PING" shape, here "the marker file exists". Breaking it
 * inside the running container rolls the release back exactly once; an exec check that names a
 * service the compose files do not define is a broken check (CheckInvalid), never a rollback.
 */
class ExecCheckIT {

  // The container writes its own marker at start: a rolled-back (recreated) container is healthy
  // again. VERSION differs per commit so a rollback really recreates the container.
  private static final String COMPOSE = """
      services:
        web:
          image: busybox:1.36
          init: true
          stop_grace_period: 1s
          environment:
            VERSION: "%s"
          # The local busybox image has no /tmp of its own.
          tmpfs: [/tmp]
          command: ["sh", "-c", "touch /tmp/ok && exec sleep 86400"]
      """;

  @TempDir Path tmp;
  private final String project = "bsexec-" + UUID.randomUUID().toString().substring(0, 8);
  private Process daemon;
  private StatusStore store;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void aBrokenExecCheckRollsBackOnceAndAnUnknownServiceIsCheckInvalid() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), repo);
    DemoRepo.run(List.of("git", "config", "user.email", "it@backstop.dev"), repo);
    DemoRepo.run(List.of("git", "config", "user.name", "Backstop IT"), repo);
    for (String version : List.of("v1", "v2")) {
      Files.writeString(repo.resolve("compose.yaml"), COMPOSE.formatted(version));
      DemoRepo.run(List.of("git", "add", "-A"), repo);
      DemoRepo.run(List.of("git", "commit", "-qm", version), repo);
      DemoRepo.run(List.of("git", "tag", version), repo);
    }
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path manifest = manifests.resolve("app.yaml");
    store = new StatusStore(tmp.resolve("state"));
    DemoRepo.write(manifest, manifest(repo, "v1"));
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", tmp.resolve("state").toString(), "--port",
        String.valueOf(LocalModeIT.freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();

    awaitStatus("v1 healthy", s -> s.getPhase() == Phase.Healthy && check(s, "marker").getState() == CheckState.Passing);
    DemoRepo.write(manifest, manifest(repo, "v2"));
    awaitStatus("v2 healthy, the unknown service reported", s -> s.getPhase() == Phase.Healthy
        && "v2".equals(s.getCurrent().getRef()) && check(s, "marker").getState() == CheckState.Passing
        && check(s, "ghost").getState() == CheckState.Error);
    StagingReleaseStatus healthy = store.read("app").orElseThrow();
    assertThat(check(healthy, "ghost").getMessage()).contains("service db is not defined in the compose files");
    assertThat(healthy.getConditions()).extracting(Condition::getReason).contains(Reason.CheckInvalid);
    assertThat(rollbacks(healthy)).as("a broken check is never a reason to roll back").isZero();
    assertThat(healthy.getLastKnownGood().getRef()).isEqualTo("v2");

    // Break the app inside its running container: the exec check now exits 1.
    String web = DemoRepo.run(List.of("docker", "compose", "-p", project, "ps", "-q", "web"), tmp).trim();
    DemoRepo.run(List.of("docker", "exec", web, "rm", "/tmp/ok"), tmp);

    awaitStatus("v2 rolled back to v1", s -> s.getPhase() == Phase.RolledBack && rollbacks(s) == 1
        && "v1".equals(s.getCurrent().getRef()));
    StagingReleaseStatus rolledBack = store.read("app").orElseThrow();
    HistoryEntry rollback = rolledBack.getHistory().get(0);
    assertThat(rollback.getAction()).isEqualTo(ActionKind.Rollback);
    assertThat(rollback.getTrippedChecks()).containsExactly("marker");
    assertThat(rollback.getReason()).contains("check marker failed 2x", "exited 1");
    assertThat(rolledBack.getLastRollback().getTrippedChecks()).containsExactly("marker");
    assertThat(rolledBack.getLastRollback().getServicesAffected()).contains("web");

    // v1's fresh container passes again; nothing further happens (exactly one rollback).
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> store.read("app").map(s -> rollbacks(s) == 1 && "v1".equals(s.getCurrent().getRef())
            && check(s, "marker").getState() == CheckState.Passing).orElse(false));
    String after = DemoRepo.run(List.of("docker", "compose", "-p", project, "ps", "-q", "web"), tmp).trim();
    assertThat(after).as("the rollback recreated the container").isNotEqualTo(web);
  }

  private String manifest(Path repo, String ref) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: app
        spec:
          source:
            url: file://%s
            ref: %s
          compose:
            projectName: %s
          health:
            interval: 1s
            progressDeadline: 30s
            checks:
            - name: marker
              type: exec
              service: web
              command: [test, -f, /tmp/ok]
              timeout: 5s
              consecutiveFailures: 2
            - name: ghost
              type: exec
              service: db
              command: ["true"]
        """.formatted(repo, ref, project);
  }

  private static CheckStatus check(StagingReleaseStatus s, String name) {
    return s.getChecks().stream().filter(c -> c.getName().equals(name)).findFirst().orElseGet(CheckStatus::new);
  }

  private static int rollbacks(StagingReleaseStatus s) {
    return (int) s.getHistory().stream().filter(h -> h.getAction() == ActionKind.Rollback).count();
  }

  private void awaitStatus(String what, Predicate<StagingReleaseStatus> done) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("app").map(s -> s.getCurrent() != null && done.test(s)).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not reached; status:\n"
          + store.read("app").map(Object::toString).orElse("none") + "\nlog:\n"
          + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }
}
