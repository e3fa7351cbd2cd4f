package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.local.LocalDaemon;
import dev.backstop.operator.local.ManifestProblem;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.stack.LiveStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-manifest table against local mode: every manifest is dropped into the manifest
 * directory of one daemon with the real adapters, beside a healthy release. None may crash a
 * reconcile (each ends with a manifest problem or a not-ready status naming why, never a stack
 * trace), none may reach a shell (the marker file its payload would create never appears), none
 * may start a container or change the healthy release's container, and no password is repeated.
 */
class HostileInputIT {

  // Reasons that say "not yet" rather than "rejected".
  private static final Set<Reason> IN_FLIGHT = EnumSet.of(Reason.Succeeded, Reason.Progressing, Reason.AwaitingChecks);

  @TempDir Path tmp;
  private final String prefix = "bshost-" + UUID.randomUUID().toString().substring(0, 6);

  @Test
  void everyHostileManifestIsRejectedAndTheRunningStackIsUntouched() throws Exception {
    Path repo = DemoRepo.create(tmp.resolve("repo")).dir;
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    Path marker = tmp.resolve("shell-was-here");
    String password = "pw-" + UUID.randomUUID();
    DemoRepo.write(manifests.resolve("good.yaml"), DemoRepo.manifest("good", repo, "v1", prefix + "-good"));
    HostileManifests table = new HostileManifests(prefix, repo, marker, password, prefix + "-good");
    List<HostileManifests.Case> cases = table.all();

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(new Tee(err, log), true, StandardCharsets.UTF_8));
    DockerHosts dockerHosts = new DockerHosts();
    DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
    HealthMonitor health = new HealthMonitor(new LiveProbes(dockerHosts), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(dockerHosts, new JGitSourceRepository(state.resolve("git-cache"), name -> null),
        new DockerComposeCli(), docker, new DockerDatabaseBackups(dockerHosts), health, Clock.systemUTC());
    LocalDaemon daemon = new LocalDaemon(manifests, state, loop, health, dockerHosts, Clock.systemUTC(), 2, null);
    StatusStore store = new StatusStore(state);
    try {
      daemon.start("127.0.0.1", -1);
      await().atMost(Duration.ofSeconds(180)).until(() -> phase(store, "good") == Phase.Healthy);
      String goodContainer = docker.containers(prefix + "-good", null).get(0).id();

      for (HostileManifests.Case c : cases) {
        Files.writeString(manifests.resolve("h-" + c.id() + ".yaml"), c.yaml());
      }
      try {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
            .until(() -> cases.stream().allMatch(c -> verdict(store, c) != null));
      } catch (ConditionTimeoutException e) {
        // Counted below: a manifest without a verdict is one that was not rejected.
      }

      List<String> notRejected = new ArrayList<>();
      for (HostileManifests.Case c : cases) {
        String verdict = verdict(store, c);
        boolean ran = c.name() != null && !docker.containers(prefix + "-" + c.name(), null).isEmpty();
        if (verdict == null || ran || verdict.contains("Exception") || verdict.contains("\tat ")) {
          notRejected.add(c.id() + " -> " + (ran ? "containers started" : verdict));
        }
      }
      String everything = log.toString(StandardCharsets.UTF_8) + stateText(state);
      long leaked = cases.stream().filter(HostileManifests.Case::credentials).count() > 0
          && everything.contains(password) ? 1 : 0;
      List<ContainerState> good = docker.containers(prefix + "-good", null);
      System.out.printf("[faults] bad inputs rejected %d / tried %d (local mode)%n",
          cases.size() - notRejected.size(), cases.size());
      System.out.printf("[faults] secrets leaked %d (%d credential-URL cases)%n", leaked,
          cases.stream().filter(HostileManifests.Case::credentials).count());
      assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
      assertThat(notRejected).as("manifests not rejected cleanly").isEmpty();
      assertThat(marker).as("a shell payload ran").doesNotExist();
      assertThat(everything).as("a password from a url").doesNotContain(password);
      assertThat(good).singleElement().satisfies(g -> {
        assertThat(g.id()).isEqualTo(goodContainer);
        assertThat(g.health()).isEqualTo(ContainerState.Health.HEALTHY);
      });
      Condition dup = condition(store, "h-dupproj", ConditionType.Stalled);
      assertThat(dup.getReason()).isEqualTo(Reason.DuplicateProject);
      assertThat(dup.getMessage()).contains("default/good");
    } finally {
      daemon.close();
      health.close();
      System.setErr(err);
      DemoRepo.run(List.of("docker", "compose", "-p", prefix + "-good", "down", "-t", "1"), tmp);
      for (HostileManifests.Case c : cases) {
        if (c.name() != null && !docker.containers(prefix + "-" + c.name(), null).isEmpty()) {
          DemoRepo.run(List.of("docker", "compose", "-p", prefix + "-" + c.name(), "down", "-t", "1"), tmp);
        }
      }
      dockerHosts.close();
    }
  }

  /** Why the case was turned away (a manifest problem, or a not-ready status), or null: not (yet). */
  private static String verdict(StatusStore store, HostileManifests.Case c) {
    String file = "h-" + c.id() + ".yaml";
    for (ManifestProblem p : store.readProblems()) {
      if (p.file().getFileName().toString().equals(file)) {
        return "problem: " + p.message();
      }
    }
    if (c.name() == null) {
      return null;
    }
    Condition ready = condition(store, c.name(), ConditionType.Ready);
    if (ready == null || ready.getStatus() != ConditionStatus.False || IN_FLIGHT.contains(ready.getReason())) {
      return null;
    }
    return ready.getReason() + ": " + ready.getMessage();
  }

  private static Condition condition(StatusStore store, String name, ConditionType type) {
    return store.read(name).map(s -> Conditions.find(s.getConditions(), type)).orElse(null);
  }

  private static Phase phase(StatusStore store, String name) {
    return store.read(name).map(StagingReleaseStatus::getPhase).orElse(null);
  }

  /** Every text file the daemon wrote but the saved specs (statuses, history, problems, requests). */
  private static String stateText(Path state) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(state)) {
      // generation.json is the saved spec: the manifest as its author wrote it, not output.
      for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/git-cache/"))
          .filter(f -> !f.getFileName().toString().equals("generation.json")).toList()) {
        if (Files.size(f) < 4 * 1024 * 1024) {
          all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    }
    return all.toString();
  }

  /** Writes to both streams: the log still shows, and the test can read it. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      synchronized (b) {
        b.write(c);
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      synchronized (b) {
        b.write(buf, off, len);
      }
    }
  }
}
