package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode's envFrom: `backstop run` reads secrets/NAME.env beside the manifests, the real
 * compose CLI interpolates it into the container's environment, and the value is not in the
 * status file or the daemon's log. Editing the file re-applies the same commit.
 */
class LocalEnvIT {

  @TempDir Path tmp;
  private final String project = "bslenv-" + UUID.randomUUID().toString().substring(0, 8);
  private final String secret = "local-" + UUID.randomUUID();
  private final String rotated = "rotated-" + UUID.randomUUID();
  private Process daemon;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void aVariableFromSecretsEnvReachesTheContainerAndAnEditReappliesIt() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(repo.resolve("compose.yaml"), """
        services:
          app:
            image: busybox:1.36
            command: ["sleep", "3600"]
            init: true
            stop_grace_period: 1s
            environment:
              DB_PASSWORD: "${DB_PASSWORD}"
        """);
    for (List<String> cmd : List.of(List.of("git", "init", "-q", "-b", "main"), List.of("git", "add", "-A"),
        List.of("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"))) {
      DemoRepo.run(cmd, repo);
    }
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets/db.env"), "DB_PASSWORD=" + secret + "\n");
    Files.writeString(manifests.resolve("app.yaml"), """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: app
        spec:
          source:
            url: file://%s
            ref: main
          compose:
            projectName: %s
            envFrom:
              - secretRef:
                  name: db
          health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(repo, project));
    Path state = tmp.resolve("state");
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-Dbackstop.debug=true", "-jar", LocalModeIT.jar(),
        "run", "--manifests", manifests.toString(), "--state", state.toString(),
        "--port", String.valueOf(LocalModeIT.freePort()));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemon = pb.start();

    // A container being created or replaced refuses exec for a moment: ask again.
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> secret.equals(env()));
    DemoRepo.write(manifests.resolve("secrets/db.env"), "DB_PASSWORD=" + rotated + "\n");
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> rotated.equals(env()));
    JsonNode status = await().atMost(Duration.ofSeconds(30)).until(this::status,
        s -> s != null && "Healthy".equals(s.path("phase").asText())
            && "EnvChange".equals(s.path("history").path(0).path("trigger").asText()));
    assertThat(status.path("appliedEnv").path("keys").toString()).isEqualTo("[\"DB_PASSWORD\"]");

    String everything = status(state) + Files.readString(tmp.resolve("backstop.log"));
    assertThat(everything).doesNotContain(secret).doesNotContain(rotated);
  }

  private String env() throws Exception {
    String id = DemoRepo.run(List.of("docker", "ps", "-q", "--filter", "label=com.docker.compose.project=" + project),
        tmp).trim();
    if (id.isEmpty() || id.contains("\n")) {
      return null;
    }
    return DemoRepo.run(List.of("docker", "exec", id, "env"), tmp).lines().filter(l -> l.startsWith("DB_PASSWORD="))
        .map(l -> l.substring("DB_PASSWORD=".length())).findFirst().orElse(null);
  }

  private JsonNode status() throws Exception {
    String text = status(tmp.resolve("state"));
    return text.isEmpty() ? null : new ObjectMapper().readTree(text);
  }

  private static String status(Path state) throws Exception {
    try (var files = Files.walk(state)) {
      Path file = files.filter(p -> p.getFileName().toString().equals("status.json")).findFirst().orElse(null);
      return file == null ? "" : Files.readString(file);
    }
  }
}
