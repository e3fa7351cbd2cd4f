package dev.backstop.operator.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A git repository whose app is built from the repository itself (`build:` in compose.yaml, a
 * Dockerfile `FROM busybox:1.36` with a build arg and a target stage): tags v1 (healthy), v2
 * (builds fine, /health is gone so the healthcheck fails), v3 (a Dockerfile that does not parse).
 */
final class BuiltStack {

  static final String COMPOSE =
      """
      services:
        web:
          build:
            context: .
            target: app
            args:
              NOTE: built-by-compose
          init: true
          stop_grace_period: 2s
          ports:
            - "127.0.0.1:${APP_PORT:-18081}:8080"
          healthcheck:
            test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
            interval: 1s
            timeout: 2s
            retries: 2
      """;

  // The build arg and the target stage are asserted through what the app serves (/note).
  static final String DOCKERFILE =
      """
      FROM busybox:1.36 AS base
      ARG NOTE=unset
      RUN mkdir -p /www && echo "$NOTE" > /www/note
      FROM base AS app
      COPY www/ /www/
      CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
      FROM base AS unused
      RUN false
      """;

  final Path dir;

  private BuiltStack(Path dir) {
    this.dir = dir;
  }

  static BuiltStack create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("compose.yaml"), COMPOSE);
    Files.writeString(dir.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(dir.resolve("www/version"), "v1\n");
    Files.writeString(dir.resolve("www/health"), "ok\n");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.email", "it@backstop.dev");
    git(dir, "config", "user.name", "Backstop IT");
    commit(dir, "v1: healthy");
    Files.writeString(dir.resolve("www/version"), "v2\n");
    Files.delete(dir.resolve("www/health"));
    commit(dir, "v2: builds, but /health is gone");
    Files.writeString(dir.resolve("www/version"), "v3\n");
    Files.writeString(dir.resolve("www/health"), "ok\n");
    Files.writeString(dir.resolve("Dockerfile"), "FORM busybox:1.36\n" + DOCKERFILE);
    commit(dir, "v3: the Dockerfile does not parse");
    return new BuiltStack(dir);
  }

  private static void commit(Path dir, String message) throws IOException, InterruptedException {
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", message);
    git(dir, "tag", message.substring(0, 2));
  }

  String commit(String ref) throws IOException, InterruptedException {
    return git(dir, "rev-parse", ref + "^{commit}").trim();
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    return DemoRepo.run(command, dir);
  }

  /** Removes every image Backstop built for {@code project}, and its containers first. */
  static void cleanUp(String project, Path workDir) throws IOException, InterruptedException {
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1", "--remove-orphans"), workDir);
    String images =
        DemoRepo.run(
            List.of("docker", "image", "ls", "-q", "--filter", "label=dev.backstop.project=" + project),
            workDir);
    List<String> ids = images.lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    if (!ids.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("docker", "image", "rm", "-f"));
      rm.addAll(ids);
      DemoRepo.run(rm, workDir);
    }
  }

  static String imageId(String image, Path workDir) throws IOException, InterruptedException {
    return DemoRepo.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", image), workDir).strip();
  }

  static String created(String image, Path workDir) throws IOException, InterruptedException {
    return DemoRepo.run(List.of("docker", "image", "inspect", "--format", "{{.Created}}", image), workDir).strip();
  }
}
