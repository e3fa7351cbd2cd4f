package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.checks.ExecOutcome;
import dev.backstop.operator.health.LiveProbes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** exec probes in a real busybox container: a timed-out command is killed, output is bounded. */
class ExecBoundsIT {

  private final String name = "bsexecb-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts docker = new DockerHosts();
  private final LiveProbes probes = new LiveProbes(docker);
  private String container;

  @BeforeEach
  void start() throws Exception {
    container = DemoRepo.run(List.of("docker", "run", "-d", "--network", "none", "--name", name, "busybox:1.36", "sleep", "600"),
        Path.of(".")).trim();
  }

  @AfterEach
  void stop() throws Exception {
    DemoRepo.run(List.of("docker", "rm", "-f", name), Path.of("."));
    docker.close();
  }

  private String processes() throws Exception {
    return DemoRepo.run(List.of("docker", "exec", name, "ps", "-o", "pid,args"), Path.of("."));
  }

  @Test
  void aTimedOutExecIsKilledInsideItsContainer() throws Exception {
    long start = System.nanoTime();
    ExecOutcome outcome = probes.exec(DockerEndpoint.LOCAL, container, List.of("sleep", "313"), Duration.ofSeconds(1));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(outcome.exitCode()).isNull();
    assertThat(outcome.output()).contains("timeout", "it was killed");
    await().atMost(Duration.ofSeconds(10)).until(() -> !processes().contains("sleep 313"));
  }

  @Test
  void floodingOutputIsCutToItsTail() throws Exception {
    ExecOutcome outcome = probes.exec(DockerEndpoint.LOCAL, container,
        List.of("sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x; echo; echo the-end"), Duration.ofSeconds(30));
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.output()).endsWith("the-end").hasSizeLessThan(400);
  }
}
