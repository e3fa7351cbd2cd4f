package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ServiceView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The demo repository (tags v1 healthy, v2 broken, v3 fixed), made by the demo's own script. */
final class DemoRepo {

  final Path dir;

  private DemoRepo(Path dir) {
    this.dir = dir;
  }

  static DemoRepo create(Path dir) throws IOException, InterruptedException {
    Path script = Path.of("../examples/demo-stack/make-repo.sh").toAbsolutePath().normalize();
    run(List.of("bash", script.toString(), dir.toString()), Path.of("."));
    return new DemoRepo(dir);
  }

  String commit(String ref) throws IOException, InterruptedException {
    return run(List.of("git", "rev-parse", ref + "^{commit}"), dir).trim();
  }

  static String run(List<String> command, Path workDir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** A StagingRelease manifest for the demo stack at {@code ref}. */
  static String manifest(String name, Path repo, String ref, String project) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
        spec:
          source:
            url: file://%s
            ref: %s
          compose:
            projectName: %s
          health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(name, repo, ref, project);
  }

  static void write(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Asserts the project's one web container runs healthy from {@code commit}'s checkout and serves
   * {@code version} on {@code appPort}.
   */
  static void assertRunning(DockerContainerObserver docker, String project, int appPort, String commit, String version)
      throws Exception {
    ContainerState web = webContainer(docker, project);
    assertThat(web.running()).isTrue();
    assertThat(web.health()).isEqualTo(ContainerState.Health.HEALTHY);
    assertThat(ServiceView.commitOf(web.workingDir())).as("checkout the container came from").isEqualTo(commit);
    String served = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort + "/version")).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim();
    assertThat(served).isEqualTo(version);
  }

  /** The project's containers, which must be the demo's one web service. */
  static ContainerState webContainer(DockerContainerObserver docker, String project) throws Exception {
    List<ContainerState> containers = docker.containers(project, null);
    assertThat(containers).extracting(ContainerState::service).containsExactly("web");
    return containers.get(0);
  }
}
