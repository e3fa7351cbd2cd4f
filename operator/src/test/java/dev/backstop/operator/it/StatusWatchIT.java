package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `backstop status -w` of the built jar: a row per change, nothing while nothing changes, Ctrl-C ends it. */
class StatusWatchIT {

  @TempDir Path tmp;

  @Test
  void printsARowPerChangeAndEndsOnCtrlC() throws Exception {
    Path state = tmp.resolve("state");
    StatusStore store = new StatusStore(state);
    store.write("demo", status(Phase.Deploying));
    Process watch = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "status", "-w",
        "--state", state.toString()).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        lines.add("read failed: " + e);
      }
    });
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> lines.size() >= 2);
      assertThat(lines.get(0)).startsWith("NAME");
      assertThat(lines.get(1)).startsWith("demo").contains("Deploying");

      store.write("demo", status(Phase.Verifying));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.contains("Verifying")));
      store.write("demo", status(Phase.Healthy));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.contains("Healthy")));
      store.write("other", status(Phase.Pending));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.startsWith("other")));
      // Nothing changes: nothing is printed (the watcher reads every 500 ms).
      int before = lines.size();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> lines.size() == before);
      assertThat(lines).hasSize(5);

      // Ctrl-C: SIGINT to the process, as a terminal sends it.
      new ProcessBuilder("kill", "-INT", String.valueOf(watch.pid())).start().waitFor(10, TimeUnit.SECONDS);
      assertThat(watch.waitFor(15, TimeUnit.SECONDS)).as("ends on Ctrl-C").isTrue();
      reader.join(5000);
      assertThat(lines).noneMatch(l -> l.contains("Exception"));
    } finally {
      watch.destroyForcibly();
    }
  }

  private static StagingReleaseStatus status(Phase phase) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(phase);
    return s;
  }
}
