package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.ComposeException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the driver handles its child process, with a stand-in `docker` script: what a real compose
 * cannot be made to do on demand (hang, flood its pipes).
 */
class DockerComposeCliProcessTest {

  @TempDir Path dir;

  @Test
  void buildsTheCommandLine() {
    DockerComposeCli cli = new DockerComposeCli("docker", Duration.ofSeconds(1));
    ComposeProject project =
        new ComposeProject("p", dir, List.of("a.yml", "sub/b.yml"), List.of(".env"), null);

    assertThat(cli.command(project, List.of("up", "-d")))
        .containsExactly(
            "docker",
            "compose",
            "-p",
            "p",
            "--project-directory",
            dir.toString(),
            "-f",
            dir.resolve("a.yml").toString(),
            "-f",
            dir.resolve("sub/b.yml").toString(),
            "--env-file",
            dir.resolve(".env").toString(),
            "up",
            "-d");
  }

  @Test
  void aHangingCommandIsKilledWithItsChildrenAfterTheTimeout() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    // The grandchild stands for the compose plugin that the docker CLI runs.
    Path docker = script("sleep 60 &\necho $! > " + pidFile + "\nwait\n");
    DockerComposeCli cli = new DockerComposeCli(docker.toString(), Duration.ofMillis(1500));

    long start = System.nanoTime();
    assertThatThrownBy(() -> cli.upFromHostImages(project()))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED))
        .hasMessageContaining("docker compose up timed out after 1500ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

    long child = Long.parseLong(Files.readString(pidFile).strip());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void floodingBothPipesDoesNotDeadlockAndKeepsTheLastError() throws Exception {
    // About 300 kB on each pipe, well beyond the 64 kB a pipe buffers.
    Path docker =
        script(
            "i=0\nwhile [ $i -lt 3000 ]; do\n"
                + "  echo \"progress line $i of a chatty compose run, padded to about a hundred"
                + " characters\"\n"
                + "  echo \"stderr line $i of a chatty compose run, padded to about a hundred"
                + " characters\" >&2\n"
                + "  i=$((i+1))\ndone\n"
                + "echo 'Error response from daemon: the actual problem' >&2\nexit 1\n");
    DockerComposeCli cli = new DockerComposeCli(docker.toString(), Duration.ofSeconds(60));

    assertThatThrownBy(() -> cli.down(project(), true))
        .isInstanceOfSatisfying(
            ComposeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.getMessage())
                  .startsWith("docker compose down failed (exit 1): ")
                  .endsWith("Error response from daemon: the actual problem")
                  .hasSizeLessThanOrEqualTo(
                      ComposeOutput.STATUS_MAX_CHARS
                          + "docker compose down failed (exit 1): ".length());
            });
  }

  @Test
  void compose14And15MeanInvalidEvenForUp() throws Exception {
    Path docker = script("echo 'yaml: line 2: did not find expected node content' >&2\nexit 15\n");
    DockerComposeCli cli = new DockerComposeCli(docker.toString(), Duration.ofSeconds(10));

    assertThatThrownBy(() -> cli.upFromHostImages(project()))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID))
        .hasMessage(
            "docker compose up failed (exit 15): yaml: line 2: did not find expected node content");
  }

  @Test
  void passesTheDockerHostToTheChild() throws Exception {
    Path docker = script("echo \"$DOCKER_HOST\"\n");
    DockerComposeCli cli = new DockerComposeCli(docker.toString(), Duration.ofSeconds(10));
    ComposeProject project =
        new ComposeProject("p", dir, List.of(), List.of(), DockerEndpoint.of("tcp://elsewhere:2375"));

    assertThat(cli.services(project)).containsExactly("tcp://elsewhere:2375");
  }

  @Test
  void downPassesTheStopGraceOnlyWhenGiven() throws Exception {
    Path args = dir.resolve("args");
    DockerComposeCli cli =
        new DockerComposeCli(script("echo \"$@\" >> " + args + "\n").toString(), Duration.ofSeconds(10));

    cli.down(project(), true, Duration.ofSeconds(1));
    cli.down(project(), true);

    assertThat(Files.readAllLines(args))
        .map(l -> l.substring(l.indexOf(" down")))
        .containsExactly(" down --remove-orphans --timeout 1", " down --remove-orphans");
  }

  private ComposeProject project() {
    return new ComposeProject("p", dir, List.of(), List.of(), null);
  }

  private Path script(String body) throws IOException {
    Path script = dir.resolve("docker");
    Files.writeString(script, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}
