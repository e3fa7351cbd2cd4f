package dev.backstop.operator.stack;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.core.ImageSettings;
import dev.backstop.operator.it.BenchTable;
import java.io.IOException;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback of a built service to its kept image, beside what the runbook's rollback (`build` of
 * the old commit, then `up`) takes on the same stack, with a warm and with a cold build cache.
 * Adds rows to the bench table; asserts nothing about time. Run with `make bench`.
 */
@ExtendWith(BenchTable.Extension.class)
class BuiltRollbackBenchmark {

  private static final String V1 = "1111111111111111111111111111111111111111";
  private static final String V2 = "2222222222222222222222222222222222222222";

  @TempDir Path v1Dir;
  @TempDir Path v2Dir;
  @TempDir Path state;
  private final String project = "bsbb-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerComposeCli cli = new DockerComposeCli(Duration.ofMinutes(5));
  private final StackImages images = new StackImages(cli);
  private final ImageSettings settings = new ImageSettings(3, null);

  @AfterEach
  void cleanUp() throws Exception {
    docker("compose", "-p", project, "down", "-t", "0", "--remove-orphans");
    for (String id : docker("image", "ls", "-q", "--filter", "label=dev.backstop.project=" + project)
        .lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList()) {
      docker("image", "rm", "-f", id);
    }
  }

  @Test
  void rollbackToKeptImageVersusRebuild(BenchTable table) throws Exception {
    write(v1Dir, "v1");
    write(v2Dir, "v2");
    ComposeProject p1 = new ComposeProject(project, v1Dir, List.of(), List.of(), null);
    ComposeProject p2 = new ComposeProject(project, v2Dir, List.of(), List.of(), null);
    cli.upFromHostImages(images.prepare("bench", settings, false, V1, p1, state).project());
    awaitHealthy();
    images.prepare("bench", settings, false, V2, p2, state);

    List<Double> kept = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Double> cold = new ArrayList<>();
    for (int i = 0; i < BenchTable.rounds(3); i++) {
      switchTo(p2, V2);
      kept.add(timed(() -> cli.upFromHostImages(images.prepare("bench", settings, true, V1, p1, state).project())));

      // The runbook's rollback: build the old commit (cache warm), then up.
      switchTo(p2, V2);
      warm.add(timed(() -> rebuildThenUp(p1, false)));

      // The same with no build cache, as on a fresh host or after `docker builder prune`.
      switchTo(p2, V2);
      cold.add(timed(() -> rebuildThenUp(p1, true)));
    }
    String measure = "built service: rollback to the kept v1 image, to healthy";
    table.add(BenchTable.Row.of("built images", measure, kept, "s")
        .against("rebuild then up, warm cache", BenchTable.median(warm)));
    table.add(BenchTable.Row.of("built images", measure, kept, "s")
        .against("rebuild then up, no cache", BenchTable.median(cold)));
  }

  private void rebuildThenUp(ComposeProject p1, boolean noCache) throws Exception {
    ComposeProject run = images.prepare("bench", settings, true, V1, p1, state).project();
    List<String> args = new ArrayList<>(List.of("compose", "-p", project, "--project-directory", v1Dir.toString()));
    for (String f : run.files()) {
      args.add("-f");
      args.add(v1Dir.resolve(f).toString());
    }
    args.addAll(noCache ? List.of("build", "--no-cache", "web") : List.of("build", "web"));
    docker(args.toArray(String[]::new));
    cli.upFromHostImages(run);
  }

  private void switchTo(ComposeProject p, String commit) throws Exception {
    cli.upFromHostImages(images.prepare("bench", settings, false, commit, p, state).project());
    awaitHealthy();
  }

  /** Seconds from start until the web container is healthy again. */
  private double timed(Step step) throws Exception {
    long start = System.nanoTime();
    step.run();
    awaitHealthy();
    return (System.nanoTime() - start) / 1e9;
  }

  private void awaitHealthy() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> docker(
        "ps", "--filter", "label=com.docker.compose.project=" + project, "--format", "{{.Status}}")
        .contains("(healthy)"));
  }

  private interface Step {
    void run() throws Exception;
  }

  // A small web app: a build stage that does some work (as a compile would), then the files.
  private static void write(Path dir, String version) throws IOException {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/version"), version + "\n");
    Files.writeString(dir.resolve("www/health"), "ok\n");
    Files.writeString(dir.resolve("Dockerfile"), """
        FROM busybox:1.36 AS build
        RUN mkdir /out && i=0; while [ $i -lt 20000 ]; do echo "line $i" >> /out/assets.txt; i=$((i+1)); done
        FROM busybox:1.36
        COPY --from=build /out/ /www/
        COPY www/ /www/
        CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
        """);
    Files.writeString(dir.resolve("compose.yaml"), """
        services:
          web:
            build: .
            init: true
            stop_grace_period: 2s
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
              interval: 1s
              timeout: 2s
              retries: 2
              start_period: 5s
              start_interval: 100ms
        """);
  }

  private String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
