package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.HealthState;
import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ContainerState.Health;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The observer's own edges; its happy paths run in {@link DockerComposeCliTest}. */
class DockerContainerObserverTest {

  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver observer = new DockerContainerObserver(dockerHosts);

  @AfterEach
  void close() {
    dockerHosts.close();
  }

  @Test
  void anUnreachableEngineIsUnavailable() {
    assertThatThrownBy(() -> observer.containers("bsct-any", DockerEndpoint.of("tcp://127.0.0.1:1")))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessageStartingWith("cannot reach the Docker engine at tcp://127.0.0.1:1: ")
        .hasMessageContaining("refused");
  }

  @Test
  void aProjectWithoutContainersHasNone() throws ComposeException {
    String project = "bsct-" + UUID.randomUUID().toString().substring(0, 8);

    assertThat(observer.containers(project, null)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"starting,STARTING", "healthy,HEALTHY", "unhealthy,UNHEALTHY", "none,NONE"})
  void mapsDockerHealthStatuses(String status, Health expected) throws Exception {
    // docker-java's model has no setters: build it the way it is built from the engine's JSON.
    HealthState health =
        new ObjectMapper().readValue("{\"Status\":\"" + status + "\"}", HealthState.class);

    assertThat(DockerContainerObserver.health(health)).isEqualTo(expected);
  }

  @Test
  void noHealthcheckIsNone() {
    assertThat(DockerContainerObserver.health(null)).isEqualTo(Health.NONE);
    assertThat(DockerContainerObserver.health(new HealthState())).isEqualTo(Health.NONE);
  }

  @Test
  void refusesToWorkOnceItsHostsAreClosed() {
    dockerHosts.close();

    assertThatThrownBy(() -> observer.containers("bsct-any", null))
        .isInstanceOfSatisfying(
            ComposeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
  }
}
