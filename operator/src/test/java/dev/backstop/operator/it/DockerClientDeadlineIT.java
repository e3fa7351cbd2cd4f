package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docker-java against a hung engine (a TCP peer that accepts and never answers): API calls fail at
 * their purpose's response timeout instead of holding a reconcile for ever. An IT because the
 * bound is the real 30 s one.
 */
class DockerClientDeadlineIT {

  @Test
  void anApiCallToAnEngineThatNeverAnswersFailsAtItsResponseTimeout() throws Exception {
    try (SilentPeer peer = SilentPeer.start(); DockerHosts hosts = new DockerHosts()) {
      DockerEndpoint hung = DockerEndpoint.of(peer.url().replace("http://", "tcp://"));
      long start = System.nanoTime();
      Throwable failed = catchThrowable(() -> hosts.client(hung, DockerHosts.Purpose.API).listContainersCmd().exec());
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(failed).isNotNull();
      assertThat(peer.accepted()).isPositive();
      assertThat(took).isGreaterThanOrEqualTo(DockerHosts.Purpose.API.responseTimeout().minusSeconds(1))
          .isLessThan(DockerHosts.Purpose.API.responseTimeout().plusSeconds(30));
      // The adapters turn it into the engine's fault with the engine named.
      assertThat(hosts.unreachable(hung, (RuntimeException) failed).getMessage())
          .contains("cannot reach the Docker engine at " + hung.host());
    }
  }
}
