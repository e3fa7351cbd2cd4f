package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many one-service releases on one engine that runs out of network address pools, then goes away
 * for a while: the built jar in local mode against a private second dockerd (the machine's main
 * engine is never touched). The pool fault and the outage surface as the engine's, quarantine
 * nothing, roll nothing back, and every release deploys once the engine has room and is back.
 */
class EngineFaultsIT {

  /** 50 as in the issue; -Dfaults.releases=N for a quicker run. */
  private static final int RELEASES = Integer.getInteger("faults.releases", 50);

  @TempDir Path tmp;
  private final String prefix = "bsef" + UUID.randomUUID().toString().substring(0, 6);
  private final List<Process> daemons = new ArrayList<>();
  private PrivateDockerd engine;

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void addressPoolExhaustionAndAnOutageAreTheEnginesAndEveryReleaseDeploysWhenItHasRoom() throws Exception {
    // 10.213.0.0/22 in /28s: 64 networks, one of them the engine's own bridge.
    engine = PrivateDockerd.start(Files.createDirectories(Path.of("/tmp", prefix)), "base=10.213.0.0/22,size=28");
    List<String> blockers = new ArrayList<>();
    String refused = "";
    while (refused.isEmpty()) {
      String name = prefix + "-block-" + blockers.size();
      String out = engine.dockerOutput("network", "create", name);
      if (out.contains("could not find an available, non-overlapping")) {
        refused = out;
      } else {
        assertThat(out.strip()).matches("[0-9a-f]{64}");
        blockers.add(name);
      }
    }
    // Room for about two thirds of the releases; the rest meet the engine's fault.
    int room = RELEASES * 2 / 3;
    assertThat(blockers).hasSizeGreaterThan(room);
    for (String b : new ArrayList<>(blockers.subList(0, room))) {
      engine.docker("network", "rm", b);
      blockers.remove(b);
    }

    Path repo = oneServiceRepo();
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    for (int i = 0; i < RELEASES; i++) {
      DemoRepo.write(manifests.resolve("r" + i + ".yaml"), manifest("r" + i, repo, prefix + "-" + i));
    }
    StatusStore store = new StatusStore(tmp.resolve("state"));
    startDaemon(manifests, tmp.resolve("state"));

    // Every release is either deployed or waiting out the engine's fault, named as such.
    awaitAll(store, Duration.ofMinutes(6), s -> s.getPhase() == Phase.Healthy
        || (s.getEngineFault() != null && s.getEngineFault().getReason() == Reason.AddressPoolsExhausted));
    List<StagingReleaseStatus> blocked = statuses(store).stream().filter(s -> s.getPhase() != Phase.Healthy).toList();
    assertThat(blocked).as("some releases met the pool fault").isNotEmpty();
    for (StagingReleaseStatus s : blocked) {
      assertThat(s.getQuarantined()).isEmpty();
      assertThat(s.getEngineFault().getMessage()).contains("non-overlapping", "default-address-pools");
    }
    int faulted = blocked.size();

    // The engine gets room: every release deploys by itself, no retry asked for.
    for (String b : blockers) {
      engine.docker("network", "rm", b);
    }
    awaitAll(store, Duration.ofMinutes(8), s -> s.getPhase() == Phase.Healthy);
    assertNothingHeldAgainstTheCommits(store);
    System.out.printf("engine faults: %d of %d releases met AddressPoolsExhausted, %d of %d deployed after room was"
        + " made; quarantined 0%n", faulted, RELEASES, RELEASES, RELEASES);

    // The engine goes away for a while, then comes back (its containers restart by policy).
    engine.stopEngine();
    awaitAll(store, Duration.ofMinutes(3), s -> ready(s).map(c -> c.getReason() == Reason.DockerUnavailable)
        .orElse(false));
    engine.startEngine();
    awaitAll(store, Duration.ofMinutes(8), s -> s.getPhase() == Phase.Healthy
        && ready(s).map(c -> c.getReason() == Reason.Succeeded).orElse(false));
    assertNothingHeldAgainstTheCommits(store);
    System.out.printf("engine outage: %d of %d releases converged after the engine came back, 0 rollbacks%n",
        RELEASES, RELEASES);
  }

  /**
   * The other two faults, on one release: the engine restarted in the middle of a
   * verification, and the app's container killed from outside (its process SIGKILLed, as the OOM
   * killer or a person would) while Healthy and while verifying. The app has a restart policy, so
   * each time it comes back by itself: no rollback, nothing quarantined, and the deploy converges.
   */
  @Test
  void anEngineRestartedDuringVerificationAndAContainerKilledFromOutsideRollNothingBack() throws Exception {
    engine = PrivateDockerd.start(Files.createDirectories(Path.of("/tmp", prefix)), "base=10.213.0.0/22,size=28");
    Path repo = slowStartRepo();
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    String project = prefix + "-k";
    Path manifest = manifests.resolve("k.yaml");
    DemoRepo.write(manifest, manifest("k", repo, project).replace("ref: main", "ref: v1"));
    StatusStore store = new StatusStore(tmp.resolve("state"));
    startDaemon(manifests, tmp.resolve("state"));
    awaitRelease(store, Duration.ofMinutes(3), s -> s.getPhase() == Phase.Healthy);

    // 1. The engine restarts while v2 is being verified (its app takes 8 s to become healthy).
    DemoRepo.write(manifest, manifest("k", repo, project).replace("ref: main", "ref: v2"));
    awaitRelease(store, Duration.ofMinutes(2), s -> s.getPhase() == Phase.Verifying);
    engine.stopEngine();
    awaitRelease(store, Duration.ofMinutes(1), s -> ready(s).map(c -> c.getReason() == Reason.DockerUnavailable)
        .orElse(false) || s.getEngineFault() != null);
    engine.startEngine();
    awaitRelease(store, Duration.ofMinutes(3), s -> s.getPhase() == Phase.Healthy && "v2".equals(s.getCurrent().getRef()));
    assertNoRollback(store);

    // 2. Killed from outside while Healthy: the restart policy brings it back; nothing is rolled back.
    String app = project + "-app-1";
    killFromOutside(app);
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() ->
        Integer.parseInt(engine.docker("inspect", "-f", "{{.RestartCount}}", app).strip()) >= 1);
    awaitRelease(store, Duration.ofMinutes(1), s -> s.getPhase() == Phase.Healthy
        && s.getServices().stream().allMatch(v -> "healthy".equals(v.getHealth())));
    assertNoRollback(store);

    // 3. Killed from outside while v3 is being verified: it comes back, and v3 still passes in time.
    DemoRepo.write(manifest, manifest("k", repo, project).replace("ref: main", "ref: v3"));
    awaitRelease(store, Duration.ofMinutes(2), s -> s.getPhase() == Phase.Verifying);
    killFromOutside(app);
    awaitRelease(store, Duration.ofMinutes(3), s -> s.getPhase() == Phase.Healthy && "v3".equals(s.getCurrent().getRef()));
    assertNoRollback(store);
    System.out.println("engine restart during verification and container killed (healthy, verifying): 3 of 3"
        + " faults survived, 0 rollbacks");
  }

  private void killFromOutside(String container) throws Exception {
    String pid = engine.docker("inspect", "-f", "{{.State.Pid}}", container).strip();
    DemoRepo.run(List.of("kill", "-9", pid), tmp);
  }

  private void assertNoRollback(StatusStore store) {
    StagingReleaseStatus s = store.read("k").orElseThrow();
    assertThat(s.getQuarantined()).isEmpty();
    assertThat(s.getLastRollback()).isNull();
    assertThat(s.getHistory()).allMatch(h -> h.getAction() == ActionKind.Deploy);
  }

  private void awaitRelease(StatusStore store, Duration bound, java.util.function.Predicate<StagingReleaseStatus> goal) {
    try {
      await().atMost(bound).pollInterval(Duration.ofMillis(500))
          .until(() -> store.read("k").map(goal::test).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StagingReleaseStatus s = store.read("k").orElse(null);
      throw new AssertionError("not reached in " + bound + ": " + (s == null ? "no status" : s.getPhase() + " "
          + ready(s).map(c -> c.getReason() + " " + c.getMessage()).orElse("") + " history " + s.getHistory().stream()
          .map(h -> h.getAction() + ":" + h.getResult() + ":" + h.getReason()).toList()), e);
    }
  }

  // v1 is healthy at once; v2 and v3 take 8 s to become healthy, which leaves time to break things.
  private Path slowStartRepo() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), repo);
    String[][] versions = {{"v1", "0"}, {"v2", "8"}, {"v3", "8"}};
    for (String[] v : versions) {
      Files.writeString(repo.resolve("compose.yaml"), """
          services:
            app:
              image: busybox:1.36
              init: true
              command: ["sh", "-c", "rm -f /ready; sleep %s; touch /ready; exec sleep 86400"]
              environment: {VERSION: %s}
              restart: unless-stopped
              stop_grace_period: 1s
              healthcheck:
                test: ["CMD", "test", "-f", "/ready"]
                interval: 1s
                retries: 30
          """.formatted(v[1], v[0]));
      DemoRepo.run(List.of("git", "add", "."), repo);
      DemoRepo.run(List.of("git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", v[0]), repo);
      DemoRepo.run(List.of("git", "tag", v[0]), repo);
    }
    return repo;
  }

  private void assertNothingHeldAgainstTheCommits(StatusStore store) {
    for (StagingReleaseStatus s : statuses(store)) {
      assertThat(s.getQuarantined()).isEmpty();
      assertThat(s.getHistory()).noneMatch(h -> h.getAction() != ActionKind.Deploy);
      assertThat(s.getLastRollback()).isNull();
    }
  }

  private static Optional<Condition> ready(StagingReleaseStatus s) {
    return s.getConditions().stream().filter(c -> c.getType() == ConditionType.Ready).findFirst();
  }

  private List<StagingReleaseStatus> statuses(StatusStore store) {
    List<StagingReleaseStatus> all = new ArrayList<>();
    for (int i = 0; i < RELEASES; i++) {
      store.read("r" + i).ifPresent(all::add);
    }
    return all;
  }

  private void awaitAll(StatusStore store, Duration bound, java.util.function.Predicate<StagingReleaseStatus> goal)
      throws Exception {
    try {
      await().atMost(bound).pollInterval(Duration.ofSeconds(1)).until(() -> {
        List<StagingReleaseStatus> all = statuses(store);
        return all.size() == RELEASES && all.stream().allMatch(goal);
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder where = new StringBuilder();
      for (int i = 0; i < RELEASES; i++) {
        StagingReleaseStatus s = store.read("r" + i).orElse(null);
        where.append("r").append(i).append(": ").append(s == null ? "no status" : s.getPhase() + " "
            + ready(s).map(c -> c.getReason() + " " + c.getMessage()).orElse("")).append('\n');
      }
      throw new AssertionError("not reached in " + bound + ":\n" + where, e);
    }
  }

  private Path oneServiceRepo() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    // The restart policy is what brings the container back after the engine restarts.
    Files.writeString(repo.resolve("compose.yaml"), """
        services:
          app:
            image: busybox:1.36
            command: ["sleep", "86400"]
            restart: unless-stopped
            stop_grace_period: 1s
        """);
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), repo);
    DemoRepo.run(List.of("git", "add", "."), repo);
    DemoRepo.run(List.of("git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "one service"), repo);
    return repo;
  }

  private String manifest(String name, Path repo, String project) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
        spec:
          source:
            url: file://%s
            ref: main
          compose:
            projectName: %s
            dockerHost: %s
          health:
            interval: 2s
            progressDeadline: 120s
        """.formatted(name, repo, project, engine.host);
  }

  private void startDaemon(Path manifests, Path state) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemons.add(pb.start());
  }
}
