package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
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
  private static final String LOCAL = "";

  private final Map<String, DockerClient> clients = new ConcurrentHashMap<>();
  private final Duration responseTimeout;

  /**
   * @param responseTimeout how long one API call may wait for an answer; the event stream waits
   *     indefinitely, so clients used for events need a long one
   */
  public DockerClients(Duration responseTimeout) {
    this.responseTimeout = responseTimeout;
  }

  public DockerClient client(String dockerHost) {
    return clients.computeIfAbsent(dockerHost == null ? LOCAL : dockerHost, this::connect);
  }

  private DockerClient connect(String key) {
    DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (!LOCAL.equals(key)) {
      builder.withDockerHost(key);
    }
    DockerClientConfig config = builder.build();
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
  }
}
