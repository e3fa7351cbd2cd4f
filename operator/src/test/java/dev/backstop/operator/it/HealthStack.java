package dev.backstop.operator.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A git repository whose app (busybox httpd + a CGI health endpoint) is healthy, slow, erroring or
 * crashing depending on the ref, and a StagingRelease with the runbook's three thresholds for it.
 * A running container can also be switched at runtime by writing /tmp/mode in it (slow, error,
 * slow-once), which is how the benchmark injects a fault at a known time.
 */
final class HealthStack {

  static final String COMPOSE = """
      services:
        web:
          image: busybox:1.36
          init: true
          stop_grace_period: 1s
          # mode 'crash': the app serves, passes verification, then dies 6 s later (service health).
          command: ["sh", "-c", "if grep -q crash /www/mode; then httpd -p 8080 -h /www; sleep 6; exit 1; fi; exec httpd -f -p 8080 -h /www"]
          tmpfs: [/tmp]
          volumes:
            - ./www:/www:ro
          ports:
            - "127.0.0.1:${APP_PORT}:8080"
      """;

  // Busybox httpd runs it per request; /tmp/mode (written at runtime) wins over the ref's www/mode.
  static final String CGI = """
      #!/bin/sh
      mode=$(cat /www/mode)
      [ -f /tmp/mode ] && mode=$(cat /tmp/mode)
      case "$mode" in
        slow) sleep 1 ;;
        slow-once) rm -f /tmp/mode; sleep 1 ;;
        error) printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nerror\\n'; exit 0 ;;
      esac
      printf 'Content-Type: text/plain\\r\\n\\r\\nok %s\\n' "$(cat /www/version)"
      """;

  final Path dir;

  private HealthStack(Path dir) {
    this.dir = dir;
  }

  /** Commits one ref per mode, each tagged with its name: tag {@code name} serves mode {@code mode}. */
  static HealthStack create(Path dir, List<String[]> refs) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("www/cgi-bin"));
    Files.writeString(dir.resolve("compose.yaml"), COMPOSE);
    Path cgi = dir.resolve("www/cgi-bin/health");
    Files.writeString(cgi, CGI);
    Files.setPosixFilePermissions(cgi, PosixFilePermissions.fromString("rwxr-xr-x"));
    DemoRepo.run(List.of("git", "init", "-q", "-b", "main"), dir);
    DemoRepo.run(List.of("git", "config", "user.email", "it@backstop.dev"), dir);
    DemoRepo.run(List.of("git", "config", "user.name", "Backstop IT"), dir);
    for (String[] ref : refs) {
      Files.writeString(dir.resolve("www/mode"), ref[1] + "\n");
      Files.writeString(dir.resolve("www/version"), ref[0] + "\n");
      DemoRepo.run(List.of("git", "add", "-A"), dir);
      DemoRepo.run(List.of("git", "commit", "-qm", ref[0] + ": " + ref[1]), dir);
      DemoRepo.run(List.of("git", "tag", ref[0]), dir);
    }
    return new HealthStack(dir);
  }

  /** The runbook's thresholds: response time > 500ms x3, error rate > 5% x2, service health < 100% x1. */
  static String manifest(String name, Path repo, String ref, String project, int appPort) {
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
            progressDeadline: 40s
            checks:
            - name: app
              type: http
              url: http://127.0.0.1:%d/cgi-bin/health
              timeout: 2s
              action: alert
              consecutiveFailures: 3
            - name: response_time
              type: responseTime
              check: app
              limit: 500ms
              consecutiveFailures: 3
            - name: error_rate
              type: errorRate
              check: app
              limit: 5%%
              window: 30s
              consecutiveFailures: 2
            - name: service_health
              type: serviceHealth
              minimum: 100%%
              consecutiveFailures: 1
        """.formatted(name, repo, ref, project, appPort);
  }
}
