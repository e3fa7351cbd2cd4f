package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's package) on a free loopback port, scraping one target every
 * second, with its config, storage and log in a test's own directory.
 */
final class TestPrometheus implements AutoCloseable {

  final String url;
  final Path log;
  private final Process process;

  private TestPrometheus(String url, Path log, Process process) {
    this.url = url;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts it; {@code target} is host:port to scrape, or null to scrape itself.
   */
  static TestPrometheus start(Path dir, String job, String target) throws Exception {
    return start(dir, job, target, null);
  }

  /** Starts it with {@code rules} (a rule file, or null) evaluated every second. */
  static TestPrometheus start(Path dir, String job, String target, Path rules) throws Exception {
    Path binary = Path.of("/usr/bin/prometheus");
    assertThat(binary).as("prometheus is installed by scripts/install-deps.sh (make deps)").exists();
    int port = LocalModeIT.freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
        - job_name: %s
          static_configs:
          - targets: ['%s']
        """.formatted(job, target != null ? target : "127.0.0.1:" + port)
        + (rules == null ? "" : "rule_files: ['" + rules.toAbsolutePath() + "']\n"));
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new TestPrometheus("http://127.0.0.1:" + port, log, process);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    process.waitFor(20, TimeUnit.SECONDS);
  }
}
