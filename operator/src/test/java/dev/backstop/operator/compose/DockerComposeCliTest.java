package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the driver and the observer against the real `docker compose` CLI and Docker engine. */
class DockerComposeCliTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Duration HEALTH_BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final DockerComposeCli cli = new DockerComposeCli(TIMEOUT);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver observer = new DockerContainerObserver(dockerHosts);
  private String name;

  @BeforeEach
  void name() {
    name = "bsct-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void down() throws ComposeException {
    try {
      // By name only: this cleans up even after a test broke its compose file on purpose.
      cli.down(new ComposeProject(name, dir, List.of(), List.of(), null), true);
      assertThat(observer.containers(name, null)).isEmpty();
    } finally {
      dockerHosts.close();
    }
  }

  @Test
  void servicesListsTheServicesOfAllFiles() throws Exception {
    write("base.yml", stack(service("web", "sleep 300"), service("db", "sleep 300")));
    write("extra.yml", stack(service("worker", "sleep 300")));

    assertThat(cli.services(project("base.yml", "extra.yml")))
        .containsExactlyInAnyOrder("web", "db", "worker");
  }

  @Test
  void servicesRejectsMalformedYaml() throws Exception {
    write("stack.yml", "services:\n  web: [\n");

    assertInvalid(project("stack.yml"), "yaml");
    assertThat(observer.containers(name, null)).isEmpty();
  }

  @Test
  void servicesRejectsAnUnknownKey() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300") + "    bogus_key: 1\n"));

    assertInvalid(project("stack.yml"), "bogus_key");
    assertThat(observer.containers(name, null)).isEmpty();
  }

  @Test
  void servicesRejectsAMissingFileNamingIt() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));

    assertInvalid(project("stack.yml", "overrides/prod.yml"), "overrides/prod.yml");
    assertThat(observer.containers(name, null)).isEmpty();
  }

  @Test
  void servicesRejectsAMissingEnvFileNamingIt() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));
    ComposeProject project =
        new ComposeProject(name, dir, List.of("stack.yml"), List.of("prod.env"), null);

    assertThatThrownBy(() -> cli.upFromHostImages(project))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID))
        .hasMessageContaining("prod.env");
    assertThat(observer.containers(name, null)).isEmpty();
  }

  @Test
  void upStartsContainersTheObserverSees() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));

    cli.upFromHostImages(project("stack.yml"));

    List<ContainerState> containers = observer.containers(name, null);
    assertThat(containers).hasSize(1);
    ContainerState web = containers.get(0);
    assertThat(web.service()).isEqualTo("web");
    assertThat(web.name()).isEqualTo(name + "-web-1");
    assertThat(web.id()).isNotBlank();
    assertThat(web.running()).isTrue();
    assertThat(web.state()).isEqualTo("running");
    assertThat(web.image()).isEqualTo("busybox:1.36");
    assertThat(web.workingDir()).isEqualTo(dir.toAbsolutePath().toString());
    assertThat(web.health()).isEqualTo(Health.NONE);
    assertThat(web.exitCode()).isNull();
  }

  @Test
  void healthchecksReachHealthyAndUnhealthy() throws Exception {
    write(
        "stack.yml",
        stack(
            service("good", "sleep 300") + healthcheck("true"),
            service("bad", "sleep 300") + healthcheck("false")));

    cli.upFromHostImages(project("stack.yml"));

    await()
        .atMost(HEALTH_BOUND)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(observer.containers(name, null))
                    .extracting(ContainerState::service, ContainerState::health)
                    .containsExactly(
                        tuple("bad", Health.UNHEALTHY), tuple("good", Health.HEALTHY)));
  }

  @Test
  void anExitedContainerIsNotRunningAndHasItsExitCode() throws Exception {
    write("stack.yml", stack(service("job", "sh -c 'exit 3'") + "    restart: \"no\"\n"));

    cli.upFromHostImages(project("stack.yml"));

    await()
        .atMost(HEALTH_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              List<ContainerState> containers = observer.containers(name, null);
              assertThat(containers).hasSize(1);
              assertThat(containers.get(0).running()).isFalse();
              assertThat(containers.get(0).state()).isEqualTo("exited");
              assertThat(containers.get(0).exitCode()).isEqualTo(3);
            });
  }

  @Test
  void upOfAMissingLocalImageFailsNamingTheImage() throws Exception {
    String image = "bsct-missing-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
    write("stack.yml", stack("  web:\n    image: " + image + "\n    pull_policy: never\n"));

    assertThatThrownBy(() -> cli.upFromHostImages(project("stack.yml")))
        .isInstanceOfSatisfying(
            ComposeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.getMessage())
                  .startsWith("docker compose up failed (exit ")
                  .contains(image)
                  .doesNotContain("Creating")
                  .hasSizeLessThan(ComposeOutput.STATUS_MAX_CHARS + 60)
                  .doesNotContain("\u001B");
            });
  }

  @Test
  void downRemovesTheContainers() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));
    cli.upFromHostImages(project("stack.yml"));
    assertThat(observer.containers(name, null)).hasSize(1);

    cli.down(project("stack.yml"), false);

    assertThat(observer.containers(name, null)).isEmpty();
  }

  @Test
  void upRemovesOrphans() throws Exception {
    write("v1.yml", stack(service("web", "sleep 300"), service("old", "sleep 300")));
    write("v2.yml", stack(service("web", "sleep 300")));
    cli.upFromHostImages(project("v1.yml"));

    cli.upFromHostImages(project("v2.yml"));

    assertThat(observer.containers(name, null))
        .extracting(ContainerState::service)
        .containsExactly("web");
  }

  @Test
  void upAgainstAnUnreachableEngineIsUnavailable() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));
    ComposeProject project =
        new ComposeProject(name, dir, List.of("stack.yml"), List.of(), DockerEndpoint.of("tcp://127.0.0.1:1"));

    assertThatThrownBy(() -> cli.upFromHostImages(project))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessageContaining("Cannot connect to the Docker daemon");
  }

  @Test
  void aMissingDockerBinaryIsUnavailable() throws Exception {
    write("stack.yml", stack(service("web", "sleep 300")));
    DockerComposeCli missing = new DockerComposeCli(dir.resolve("no-docker").toString(), TIMEOUT);

    assertThatThrownBy(() -> missing.services(project("stack.yml")))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessageContaining("no-docker");
  }

  private void assertInvalid(ComposeProject project, String expected) {
    assertThatThrownBy(() -> cli.services(project))
        .isInstanceOfSatisfying(
            ComposeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.INVALID);
              assertThat(e.getMessage()).contains(expected).doesNotContain(dir.toString());
            });
  }

  private ComposeProject project(String... files) {
    return new ComposeProject(name, dir, List.of(files), List.of(), null);
  }

  private void write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private static String stack(String... services) {
    return "services:\n" + String.join("", services);
  }

  // init: true makes the container's pid 1 forward SIGTERM, so stop and down take no 10 s grace.
  private static String service(String service, String command) {
    return "  "
        + service
        + ":\n    image: busybox:1.36\n    init: true\n    command: "
        + command
        + "\n";
  }

  private static String healthcheck(String test) {
    return "    healthcheck:\n      test: [\"CMD\", \""
        + test
        + "\"]\n      interval: 1s\n      timeout: 1s\n      retries: 1\n      start_period: 0s\n";
  }
}
