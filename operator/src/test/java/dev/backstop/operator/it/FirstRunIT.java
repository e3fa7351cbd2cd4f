package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `backstop run --manifests ./releases` as the README shows it, on a machine that has no ./releases yet. */
class FirstRunIT {

  @TempDir Path tmp;

  @Test
  void createsTheMissingManifestsDirectoryAndSaysWhatToPutThere() throws Exception {
    Path releases = tmp.resolve("releases");
    Path log = tmp.resolve("run.log");
    Process run = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        releases.toString(), "--state", tmp.resolve("state").toString(), "--port", "-1")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> Files.readString(log).contains("picks it up without a restart"));
      assertThat(Files.isDirectory(releases)).isTrue();
      assertThat(Files.readString(log))
          .contains("created " + releases, "no StagingRelease manifests in " + releases,
              "kind: StagingRelease", releases.resolve("my-app.yaml").toString())
          .doesNotContain("is not a directory", "Exception");
      assertThat(run.isAlive()).as("it keeps running, waiting for a manifest").isTrue();
    } finally {
      run.destroy();
      run.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsAClearError() throws Exception {
    Path file = Files.writeString(tmp.resolve("releases"), "not a directory");
    Process run = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        file.toString(), "--state", tmp.resolve("state").toString(), "--port", "-1")
        .redirectErrorStream(true).start();
    String out = new String(run.getInputStream().readAllBytes());
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isEqualTo(2);
    assertThat(out).contains("error: --manifests " + file + " is a file").doesNotContain("Exception");
  }
}
