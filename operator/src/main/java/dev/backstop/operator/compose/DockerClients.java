package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** docker-java clients, one per Docker host (null = the local engine), for exec and events. */
public final class DockerClients implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerClients.class);

  private final Map<String, DockerClient> clients = new ConcurrentHashMap<>();
  private final SshForwards forwards = new SshForwards(DockerEndpoints.shared());
  private final Duration responseTimeout;

  /**
   * @param responseTimeout how long one API call may wait for an answer; the event stream waits
   *     indefinitely, so clients used for events need a long one
   */
  public DockerClients(Duration responseTimeout) {
    this.responseTimeout = responseTimeout;
  }

  /**
   * The client for {@code dockerHost}; for an {@code ssh://} host it first (re)starts the socket
   * forward, failing with an {@link IllegalStateException} that says why the host is unreachable.
   */
  public DockerClient client(String dockerHost) {
    String forward = null;
    if (SshForwards.isSsh(dockerHost)) {
      try {
        forward = forwards.ensure(dockerHost);
      } catch (ComposeException e) {
        // Callers already treat runtime failures as an unreachable engine.
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    String url = forward;
    // Keyed with the TLS fingerprint: rotated certificates get a new client.
    return clients.computeIfAbsent(
        DockerEndpoints.shared().cacheKey(dockerHost),
        key -> connect(url != null ? url : dockerHost));
  }

  private DockerClient connect(String dockerHost) {
    DockerClientConfig config = DockerEndpoints.shared().clientConfig(dockerHost);
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(responseTimeout)
        .build();
    return DockerClientImpl.getInstance(config, http);
  }

  @Override
  public void close() {
    for (DockerClient c : clients.values()) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("closing a Docker client failed", e);
      }
    }
    clients.clear();
    forwards.close();
  }
}
