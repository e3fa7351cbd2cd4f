package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.local.StatusStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `backstop diff` between two real commits, rendered by the real `docker compose config`, and
 * `backstop logs` of the real running stack, both through the built jar.
 */
class DiffLogsIT {

  @TempDir Path tmp;
  private final String project = "bsdiff-" + UUID.randomUUID().toString().substring(0, 8);
  private Process daemon;
  private Path state;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void diffShowsWhatTheOtherCommitChangesAndLogsShowTheRunningContainers() throws Exception {
    Path repo = TwoCommitRepo.create(tmp.resolve("repo"));

    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    state = tmp.resolve("state");
    DemoRepo.write(manifests.resolve("demo.yaml"), DemoRepo.manifest("demo", repo, "v1", project));
    daemon = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(LocalModeIT.freePort()))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("backstop.log").toFile()).start();
    StatusStore store = new StatusStore(state);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .until(() -> store.read("demo").map(s -> s.getPhase() == Phase.Healthy).orElse(false));

    String diff = cli(0, "diff", "demo", "--to", "v2");
    TwoCommitRepo.assertV1ToV2(diff);
    assertThat(cli(0, "diff", "demo", "-o", "json")).contains("\"changes\" : [ ]");
    assertThat(cli(2, "diff", "demo", "--to", "no-such-ref")).contains("error: cannot resolve no-such-ref");
    assertThat(cli(2, "diff", "nobody")).startsWith("error: ");

    assertThat(cli(0, "logs", "demo", "web", "--tail", "20")).contains("hello-from-web");
    assertThat(cli(0, "logs", "demo")).contains("web-1").contains("hello-from-web");
    assertThat(cli(0, "logs", "--help")).contains("--follow").contains("--tail");
    assertThat(cli(0, "diff", "--help")).contains("--to");
  }

  private String cli(int exit, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar()));
    cmd.addAll(List.of(args));
    if (!List.of(args).contains("--help")) {
      cmd.addAll(List.of("--state", state.toString()));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(exit);
    return out;
  }
}
