package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Observation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that knows how to reach Docker engines: TLS material per release, the key files of
 * {@code ssh://} hosts, one {@code ssh -L} forward per such host and one docker-java client per
 * (engine, TLS identity, purpose). Built by each composition root and shared by every Docker
 * adapter; {@link #close()} stops the forwards and clients.
 */
public final class DockerHosts implements AutoCloseable {

  /** What a client is for: API calls answer within a bound, the event stream may stay silent. */
  public enum Purpose {
    /** Listing, inspecting, exec: a dead engine fails the call within a minute. */
    API(Duration.ofSeconds(30)),
    /** Dumps that may be silent while a big table is read. */
    LONG_CALL(Duration.ofMinutes(10)),
    /** The event stream is quiet for as long as nothing happens. */
    EVENTS(Duration.ofDays(365));

    private final Duration responseTimeout;

    Purpose(Duration responseTimeout) {
      this.responseTimeout = responseTimeout;
    }

    /** How long a call may wait for the engine's answer (between bytes) before it fails. */
    public Duration responseTimeout() {
      return responseTimeout;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(DockerHosts.class);
  /** An engine that does not accept a connection within this fails the call: reconciles run often. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  // Release key (namespace/name) -> the TLS files that release's Secret wrote.
  private final Map<String, Tls> tls = new ConcurrentHashMap<>();
  // Release key -> the DOCKER_HOST it last asked for, so a deleted release's forward can go.
  private final Map<String, String> hostOf = new ConcurrentHashMap<>();
  // ssh:// host -> the key and known_hosts its forward uses instead of the user's ~/.ssh.
  private final Map<String, DockerEndpoint.Ssh> ssh = new ConcurrentHashMap<>();
  private final Map<ClientKey, DockerClient> clients = new ConcurrentHashMap<>();
  private final SshForwards forwards;
  private final SubprocessEnv env;
  private volatile boolean closed;

  /** Hosts whose child processes get a private HOME in a temporary directory. */
  public DockerHosts() {
    this(SubprocessEnv.inTempHome());
  }

  /** Hosts whose child processes (ssh forwards, docker CLI) get the environment {@code env}. */
  public DockerHosts(SubprocessEnv env) {
    this(new SshForwards(env), env);
  }

  DockerHosts(SshForwards forwards) {
    this(forwards, SubprocessEnv.inTempHome());
  }

  private DockerHosts(SshForwards forwards, SubprocessEnv env) {
    this.forwards = forwards;
    this.env = env;
  }

  /** The environment every child process of this Backstop process starts with. */
  public SubprocessEnv subprocessEnv() {
    return env;
  }

  /**
   * How the release {@code releaseKey} reaches {@code dockerHost} (null = the local engine): with
   * the TLS material that release registered for that host, and no other.
   */
  public DockerEndpoint endpoint(String releaseKey, String dockerHost) {
    Objects.requireNonNull(releaseKey, "releaseKey");
    if (dockerHost == null) {
      hostOf.remove(releaseKey);
      return DockerEndpoint.LOCAL;
    }
    hostOf.put(releaseKey, dockerHost);
    Tls t = tls.get(releaseKey);
    boolean own = t != null && t.host().equals(dockerHost);
    return new DockerEndpoint(
        dockerHost, own ? t.dir() : null, own ? t.fingerprint() : null, ssh.get(dockerHost));
  }

  /**
   * Writes {@code material} into {@code dir} and uses it for the release's {@code dockerHost}; with
   * no material, forgets what the release registered before (the spec dropped its Secret).
   *
   * @return why the material cannot be used, or null when it is in place (or there is none)
   */
  public Observation.Problem useTls(
      String releaseKey, String dockerHost, DockerTls material, Path dir) {
    Objects.requireNonNull(releaseKey, "releaseKey");
    if (material == null) {
      tls.remove(releaseKey);
      return null;
    }
    if (!DockerEndpoint.of(dockerHost).isTcp()) {
      return new Observation.Problem(
          Reason.InvalidSpec,
          "spec.compose.tlsSecretRef is set but spec.compose.dockerHost is "
              + (dockerHost == null ? "not set" : "not a tcp:// URL")
              + ", and TLS applies only to tcp:// hosts; set a tcp:// dockerHost or drop the"
              + " Secret reference");
    }
    try {
      Path written = TlsFiles.write(dir, material).toAbsolutePath();
      tls.put(releaseKey, new Tls(dockerHost, written, TlsFiles.fingerprint(written)));
      return null;
    } catch (IOException | RuntimeException e) {
      // The message names the directory and the I/O error, never the material.
      return new Observation.Problem(
          Reason.DockerUnavailable,
          "cannot write the TLS files for "
              + dockerHost
              + " under "
              + dir
              + " ("
              + e.getClass().getSimpleName()
              + "); check that the state directory is writable");
    }
  }

  /**
   * Makes the socket forward for the {@code ssh://} host {@code dockerHost} check host keys against
   * {@code knownHosts} only and log in with {@code identity} (null = the user's keys and agent).
   * The compose CLI still uses the operator user's own ssh setup: Docker's ssh support takes no
   * key or known_hosts options.
   */
  public void useSsh(String dockerHost, Path identity, Path knownHosts) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    ssh.put(
        dockerHost,
        new DockerEndpoint.Ssh(
            identity == null ? null : identity.toAbsolutePath(), knownHosts.toAbsolutePath()));
  }

  /**
   * Drops what the release {@code releaseKey} registered and, when no other release names its
   * {@code ssh://} host any more, stops that host's forward and clients.
   */
  public void forget(String releaseKey) {
    tls.remove(releaseKey);
    String host = hostOf.remove(releaseKey);
    if (host != null && SshForwards.isSsh(host) && !hostOf.containsValue(host)) {
      forwards.close(host);
      clients.entrySet().removeIf(e -> {
        if (host.equals(e.getKey().host())) {
          closeQuietly(e.getValue());
          return true;
        }
        return false;
      });
    }
  }

  /**
   * The client for {@code endpoint}; for an {@code ssh://} host it first (re)starts the shared
   * socket forward.
   *
   * @throws ComposeException UNAVAILABLE when the engine cannot be reached, INVALID for a
   *     malformed host
   */
  public DockerClient client(DockerEndpoint given, Purpose purpose) throws ComposeException {
    DockerEndpoint endpoint = given == null ? DockerEndpoint.LOCAL : given;
    if (closed) {
      throw new ComposeException(ComposeException.Kind.UNAVAILABLE, "shutting down");
    }
    // Every call checks the forward: one that died is restarted on the same socket path, so the
    // cached client built on that path keeps working.
    String url =
        endpoint.isSsh() ? forwards.ensure(endpoint.host(), endpoint.ssh()) : endpoint.host();
    ClientKey key = new ClientKey(endpoint.host(), endpoint.tlsFingerprint(), purpose);
    try {
      return clients.computeIfAbsent(key, k -> connect(url, endpoint.tlsDir(), purpose));
    } catch (RuntimeException e) {
      // A malformed host URI fails here, before any connection.
      throw unreachable(endpoint, e);
    }
  }

  /**
   * Points a plain {@code docker} CLI at {@code endpoint} with a clean environment: like {@link
   * DockerEndpoint#configureCli}, but an {@code ssh://} host goes through the shared forward, so
   * the keys registered with {@link #useSsh} apply and no second ssh session is opened.
   */
  public void configureForwardedCli(DockerEndpoint endpoint, ProcessBuilder builder)
      throws ComposeException {
    DockerEndpoint target =
        endpoint.isSsh() ? DockerEndpoint.of(forwards.ensure(endpoint.host(), endpoint.ssh())) : endpoint;
    env.builder().endpoint(target).applyTo(builder);
  }

  /** The DOCKER_* variables of {@link #configureForwardedCli(DockerEndpoint, ProcessBuilder)}. */
  public void configureForwardedCli(DockerEndpoint endpoint, Map<String, String> env)
      throws ComposeException {
    if (!endpoint.isSsh()) {
      endpoint.configureCli(env);
      return;
    }
    DockerEndpoint.of(forwards.ensure(endpoint.host(), endpoint.ssh())).configureCli(env);
  }

  /** How failures name the engine: the host asked for, or the local engine's resolved URL. */
  public String where(DockerEndpoint endpoint) {
    if (endpoint != null && endpoint.host() != null) {
      return endpoint.host();
    }
    return DefaultDockerClientConfig.createDefaultConfigBuilder().build().getDockerHost().toString();
  }

  /** A failure to reach {@code endpoint}'s engine as people read it, with the TLS hint. */
  public ComposeException unreachable(DockerEndpoint given, RuntimeException e) {
    DockerEndpoint endpoint = given == null ? DockerEndpoint.LOCAL : given;
    String cause = DockerContainerObserver.shortCause(e);
    return new ComposeException(
        ComposeException.Kind.UNAVAILABLE,
        "cannot reach the Docker engine at " + where(endpoint) + ": " + cause
            + endpoint.hint(cause),
        e);
  }

  private static DockerClient connect(String url, Path tlsDir, Purpose purpose) {
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (url != null) {
      builder.withDockerHost(url);
      if (tlsDir != null) {
        builder.withDockerTlsVerify(true).withDockerCertPath(tlsDir.toString());
      } else {
        // The daemon's own environment must not lend certificates to a host without a Secret.
        builder.withDockerTlsVerify(false);
      }
    }
    DockerClientConfig config = builder.build();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .connectionTimeout(CONNECT_TIMEOUT)
            .responseTimeout(purpose.responseTimeout)
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  /** Whether a forward process runs for {@code dockerHost} (tests check it is stopped). */
  ProcessHandle forwardProcess(String dockerHost) {
    return forwards.process(dockerHost);
  }

  @Override
  public void close() {
    closed = true;
    for (DockerClient c : clients.values()) {
      closeQuietly(c);
    }
    clients.clear();
    forwards.close();
  }

  private static void closeQuietly(DockerClient client) {
    try {
      client.close();
    } catch (IOException e) {
      // Nothing to do about it on the way out; the connection pool is gone either way.
      LOG.debug("closing a Docker client failed", e);
    }
  }

  private record Tls(String host, Path dir, String fingerprint) {}

  private record ClientKey(String host, String tlsFingerprint, Purpose purpose) {}
}
