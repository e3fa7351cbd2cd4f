package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.core.ImageSettings;
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
import org.junit.jupiter.api.io.TempDir;

/** Pull, build and retention against the real Docker engine and Compose CLI. */
class StackImagesTest {

  private static final String C1 = "1111111111111111111111111111111111111111";
  private static final String C2 = "2222222222222222222222222222222222222222";
  private static final String C3 = "3333333333333333333333333333333333333333";
  private static final ImageSettings DEFAULTS = new ImageSettings(3, null);

  @TempDir Path dir;
  @TempDir Path state;
  private final String project = "bssi-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerComposeCli cli = new DockerComposeCli(Duration.ofMinutes(2));
  private final StackImages images = new StackImages(cli);

  @AfterEach
  void cleanUp() throws Exception {
    docker("compose", "-p", project, "down", "-t", "0", "--remove-orphans");
    for (String id : docker("image", "ls", "-q", "--filter", "label=dev.backstop.project=" + project)
        .lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList()) {
      docker("image", "rm", "-f", id);
    }
  }

  @Test
  void aDeployBuildsAnImageNamedForTheCommitWithArgsAndTargetAndLeavesTheComposeFileAlone()
      throws Exception {
    String compose = writeStack("v1", "busybox:1.36");

    StackImages.Prepared prepared = images.prepare("r", DEFAULTS, false, C1, project(), state);
    cli.upFromHostImages(prepared.project());

    String image = project + "-web:111111111111";
    assertThat(docker("image", "inspect", "--format", "{{index .Config.Labels \"dev.backstop.commit\"}}", image))
        .isEqualToIgnoringWhitespace(C1);
    assertThat(docker("compose", "-p", project, "exec", "-T", "web", "cat", "/www/version", "/www/note"))
        .isEqualTo("v1\nfrom-args\n");
    assertThat(docker("ps", "--filter", "label=com.docker.compose.project=" + project,
        "--filter", "label=com.docker.compose.service=web", "--format", "{{.Image}}"))
        .isEqualToIgnoringWhitespace(image);
    assertThat(Files.readString(dir.resolve("compose.yaml"))).isEqualTo(compose);
    assertThat(prepared.note()).isNull();
  }

  @Test
  void aRollbackRunsTheKeptImageWithoutBuildingAndRebuildsOnlyWhenItIsGone() throws Exception {
    writeStack("v1", "busybox:1.36");
    images.prepare("r", DEFAULTS, false, C1, project(), state);
    String image = project + "-web:111111111111";
    String created = docker("image", "inspect", "--format", "{{.Id}} {{.Created}}", image);

    StackImages.Prepared kept = images.prepare("r", DEFAULTS, true, C1, project(), state);
    assertThat(kept.note()).isNull();
    assertThat(docker("image", "inspect", "--format", "{{.Id}} {{.Created}}", image)).isEqualTo(created);

    docker("image", "rm", image);
    StackImages.Prepared rebuilt = images.prepare("r", DEFAULTS, true, C1, project(), state);
    assertThat(rebuilt.note()).contains("were gone", "rebuilt from the kept checkout", "web", "111111111111");
    assertThat(docker("image", "inspect", "--format", "{{.Created}}", image)).isNotBlank();
  }

  @Test
  void aBrokenBuildFailsWithTheBuildersWordsBeforeAnythingRuns() throws Exception {
    writeStack("v1", "busybox:1.36");
    Files.writeString(dir.resolve("Dockerfile"), "FORM busybox:1.36\n");

    assertThatThrownBy(() -> images.prepare("r", DEFAULTS, false, C1, project(), state))
        .isInstanceOfSatisfying(StackImages.Failure.class, f -> assertThat(f.reason()).isEqualTo(Reason.BuildFailed))
        .hasMessageContaining("docker compose build failed")
        .hasMessageContaining("unknown instruction: FORM");
  }

  @Test
  void aFailedPullLeavesTheRunningContainersAsTheyWere() throws Exception {
    writeStack("v1", "busybox:1.36");
    cli.upFromHostImages(images.prepare("r", DEFAULTS, false, C1, project(), state).project());
    String before = docker("ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=" + project);

    // The next commit adds a sidecar from a registry nobody can reach: the host's fault, retried.
    writeStack("v2", "127.0.0.1:1/nowhere/sidecar:1");
    assertThatThrownBy(() -> images.prepare("r", DEFAULTS, false, C2, project(), state))
        .isInstanceOfSatisfying(StackImages.Failure.class,
            f -> assertThat(f.reason()).isEqualTo(Reason.RegistryUnavailable))
        .hasMessageContaining("registry cannot be reached")
        .hasMessageContaining("docker compose pull failed")
        .hasMessageContaining("127.0.0.1:1");

    assertThat(docker("ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=" + project))
        .isEqualTo(before);
    assertThat(docker("image", "ls", "-q", project + "-web:222222222222")).as("nothing built either").isBlank();
  }

  @Test
  void retentionRemovesImagesOfOldCommitsButNeverCurrentLastKnownGoodOrInUse() throws Exception {
    for (String commit : List.of(C1, C2, C3)) {
      writeStack(commit.substring(0, 1), "busybox:1.36");
      images.prepare("r", DEFAULTS, false, commit, project(), state);
    }
    // C1 runs (someone else's container, say): in use, so the engine refuses to remove it.
    cli.upFromHostImages(images.prepare("r", DEFAULTS, true, C1, project(), state).project());
    StagingReleaseStatus status = new StagingReleaseStatus();
    status.setCurrent(rev(C3));
    status.setLastKnownGood(rev(C3));
    HistoryEntry h = new HistoryEntry();
    h.setTo(rev(C3));
    status.getHistory().add(h);

    images.retain("r", new ImageSettings(0, null), status, project, null);

    assertThat(cli.images(null, "dev.backstop.project", project))
        .containsExactlyInAnyOrder(project + "-web:111111111111", project + "-web:333333333333");
  }

  private static Revision rev(String commit) {
    Revision r = new Revision();
    r.setCommit(commit);
    return r;
  }

  private ComposeProject project() {
    return new ComposeProject(project, dir, List.of(), List.of(), null);
  }

  /** A one-service stack built from {@code dir}, plus a sidecar running {@code sidecarImage}. */
  private String writeStack(String version, String sidecarImage) throws IOException {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/version"), version + "\n");
    Files.writeString(dir.resolve("Dockerfile"), """
        FROM busybox:1.36 AS base
        ARG NOTE=unset
        RUN mkdir -p /www && echo "$NOTE" > /www/note
        FROM base AS app
        COPY www/ /www/
        CMD ["sleep", "300"]
        FROM base AS other
        RUN false
        """);
    String compose = """
        services:
          web:
            build:
              context: .
              target: app
              args:
                NOTE: from-args
            init: true
          sidecar:
            image: %s
            init: true
            command: ["sleep", "300"]
        """.formatted(sidecarImage);
    Files.writeString(dir.resolve("compose.yaml"), compose);
    return compose;
  }

  private String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
