package dev.backstop.operator.compose;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How to reach each Docker host: the TLS material a {@code tcp://} host needs. Keyed by the
 * DOCKER_HOST string because that string already reaches every adapter (compose CLI, observer,
 * events, exec probes, backups, image retention); registering a host's TLS directory here once
 * makes all of them use it, instead of threading certificates through every call.
 *
 * <p>One process-wide instance ({@link #shared()}): one operator serves many hosts, and all the
 * releases that name one host reach the same engine.
 */
public final class DockerEndpoints {

  private static final DockerEndpoints SHARED = new DockerEndpoints();

  // Host string -> directory holding ca.pem, cert.pem and key.pem (the docker CLI's layout).
  private final Map<String, Tls> tls = new ConcurrentHashMap<>();
  // ssh:// host -> the key and known_hosts its socket forward uses instead of the user's ~/.ssh.
  private final Map<String, Ssh> ssh = new ConcurrentHashMap<>();

  public static DockerEndpoints shared() {
    return SHARED;
  }

  /**
   * Uses the certificates in {@code certDir} (ca.pem, cert.pem, key.pem) for {@code dockerHost}
   * from now on, for the CLI and docker-java alike.
   */
  public void useTls(String dockerHost, Path certDir) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    tls.put(dockerHost, new Tls(certDir.toAbsolutePath(), TlsFiles.fingerprint(certDir)));
  }

  /**
   * Makes the socket forward for the {@code ssh://} host {@code dockerHost} check host keys against
   * {@code knownHosts} only and log in with {@code identity} (null = the user's keys and agent).
   * The compose CLI still uses the operator user's own ssh setup: Docker's ssh support takes no
   * key or known_hosts options.
   */
  public void useSsh(String dockerHost, Path identity, Path knownHosts) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    ssh.put(dockerHost, new Ssh(identity == null ? null : identity.toAbsolutePath(),
        knownHosts.toAbsolutePath()));
  }

  /** The files registered by {@link #useSsh}, or null: the operator user's {@code ~/.ssh}. */
  Ssh sshFiles(String dockerHost) {
    return dockerHost == null ? null : ssh.get(dockerHost);
  }

  /** Stops using TLS or SSH material for {@code dockerHost} (tests; a spec that dropped it). */
  public void forget(String dockerHost) {
    tls.remove(dockerHost);
    ssh.remove(dockerHost);
  }

  /** The TLS directory for {@code dockerHost}, or null when it is not a TLS host. */
  public Path tlsCertPath(String dockerHost) {
    Tls t = dockerHost == null ? null : tls.get(dockerHost);
    return t == null ? null : t.dir();
  }

  /**
   * What adapters cache their docker-java clients under: the host plus a fingerprint of its TLS
   * files, so a rotated Secret gets a new client rather than the one built from the old files.
   */
  public String cacheKey(String dockerHost) {
    if (dockerHost == null) {
      return "";
    }
    Tls t = tls.get(dockerHost);
    return t == null ? dockerHost : dockerHost + "#" + t.fingerprint();
  }

  /** docker-java configuration for {@code dockerHost} (null = the local engine). */
  public DockerClientConfig clientConfig(String dockerHost) {
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (dockerHost != null) {
      if (dockerHost.regionMatches(true, 0, "ssh://", 0, 6)) {
        // docker-java has no SSH transport; the compose CLI alone would deploy blind.
        // docker-java has no SSH transport: owners of an SshForwards pass its unix:// URL instead.
        throw new IllegalArgumentException(
            "ssh:// Docker hosts are reached through a socket forward, which this caller does"
                + " not manage; use tcp:// with spec.compose.tlsSecretRef for it");
      }
      builder.withDockerHost(dockerHost);
      Path certs = tlsCertPath(dockerHost);
      if (certs != null) {
        builder.withDockerTlsVerify(true).withDockerCertPath(certs.toString());
      }
    }
    return builder.build();
  }

  /** Sets DOCKER_HOST and, for TLS hosts, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for the CLI. */
  public void configureCli(Map<String, String> env, String dockerHost) {
    if (dockerHost == null) {
      return;
    }
    env.put("DOCKER_HOST", dockerHost);
    // The docker CLI refuses DOCKER_HOST and DOCKER_CONTEXT together.
    env.remove("DOCKER_CONTEXT");
    Path certs = tlsCertPath(dockerHost);
    if (certs != null) {
      env.put("DOCKER_TLS_VERIFY", "1");
      env.put("DOCKER_CERT_PATH", certs.toString());
    } else {
      // The daemon's own environment must not lend another host's certificates.
      env.remove("DOCKER_TLS_VERIFY");
      env.remove("DOCKER_CERT_PATH");
    }
  }

  /**
   * A hint for a failure to reach {@code dockerHost}, or "" when there is none: an engine that
   * wants TLS answers plain HTTP with a 400 people rarely connect to missing certificates.
   */
  public String hint(String dockerHost, String failure) {
    if (dockerHost == null || failure == null) {
      return "";
    }
    if (tlsCertPath(dockerHost) == null && failure.contains("HTTP request to an HTTPS server")) {
      return "; the engine requires TLS: name a Secret with ca.crt, tls.crt and tls.key in"
          + " spec.compose.tlsSecretRef";
    }
    return "";
  }

  private record Tls(Path dir, String fingerprint) {}

  /** An ssh:// host's private key (null = the user's) and known_hosts file. */
  record Ssh(Path identity, Path knownHosts) {}
}
