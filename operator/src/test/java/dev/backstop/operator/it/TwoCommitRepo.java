package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A repository with two commits of a busybox stack, tagged v1 and v2, whose service definitions
 * differ in every field `backstop diff` compares but the image and volumes; both modes' diff ITs
 * use it.
 */
final class TwoCommitRepo {

  private static final String V1 = """
      services:
        web:
          image: busybox:1.36
          init: true
          stop_grace_period: 2s
          command: ["sh", "-c", "echo hello-from-web; exec httpd -f -p 8080 -h /www"]
          environment:
            LOG_LEVEL: info
            DB_PASSWORD: v1-secret-value
          volumes:
            - ./www:/www:ro
          healthcheck:
            test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
            interval: 1s
            retries: 2
      """;

  private static final String V2 = """
      services:
        web:
          image: busybox:1.36
          init: true
          stop_grace_period: 2s
          command: ["sh", "-c", "exec httpd -f -v -p 8080 -h /www"]
          environment:
            DB_PASSWORD: v2-other-secret
            FEATURE_FLAGS: new
          ports:
            - "127.0.0.1:18099:8080"
          volumes:
            - ./www:/www:ro
          healthcheck:
            test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
            interval: 5s
            retries: 2
        worker:
          image: busybox:1.36
          command: ["sleep", "3600"]
      """;

  private TwoCommitRepo() {}

  /** The repository, as a working tree at {@code dir} on main (at v2). */
  static Path create(Path dir) throws Exception {
    Path repo = Files.createDirectories(dir);
    Files.createDirectories(repo.resolve("www"));
    Files.writeString(repo.resolve("www/health"), "ok\n");
    Files.writeString(repo.resolve("compose.yaml"), V1);
    git(repo, "init", "-q", "-b", "main");
    git(repo, "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "add", "-A");
    git(repo, "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "commit", "-qm", "v1");
    git(repo, "tag", "v1");
    Files.writeString(repo.resolve("compose.yaml"), V2);
    git(repo, "-c", "user.email=t@backstop.dev", "-c", "user.name=t", "commit", "-qam", "v2");
    git(repo, "tag", "v2");
    return repo;
  }

  /** Asserts {@code diff} is `backstop diff`'s text from v1 to v2: key names, never values. */
  static void assertV1ToV2(String diff) {
    assertThat(diff).contains("web\n")
        .contains("command      sh -c echo hello-from-web; exec httpd -f -p 8080 -h /www -> sh -c exec httpd -f -v")
        .contains("environment  - LOG_LEVEL -> + FEATURE_FLAGS")
        .contains("ports        (none) -> 127.0.0.1:18099:8080/tcp")
        .contains("healthcheck")
        .contains("worker (added)")
        .doesNotContain("volumes")
        .doesNotContain("image ");
    assertThat(diff).as("values never, only key names").doesNotContain("secret").doesNotContain("info");
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    DemoRepo.run(cmd, dir);
  }
}
