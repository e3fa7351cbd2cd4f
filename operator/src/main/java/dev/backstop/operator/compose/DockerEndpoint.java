package dev.backstop.operator.compose;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How one release reaches its Docker engine: the DOCKER_HOST it named, the TLS material that
 * release registered (never another release's), and for {@code ssh://} hosts the key files the
 * socket forward uses. Handed out by {@link DockerHosts#endpoint}; adapters take it instead of a
 * bare host string, so certificates cannot leak between releases that name the same host.
 *
 * @param host DOCKER_HOST as the spec names it; null = the local engine
 * @param tlsDir directory with ca.pem, cert.pem and key.pem, or null for no TLS
 * @param tlsFingerprint a digest of those files (so rotated material gets a new client), or null
 * @param ssh the key and known_hosts for an {@code ssh://} host's forward, or null = ~/.ssh
 */
public record DockerEndpoint(String host, Path tlsDir, String tlsFingerprint, Ssh ssh) {

  /** The local engine, without TLS. */
  public static final DockerEndpoint LOCAL = new DockerEndpoint(null, null, null, null);

  /** {@code host} without TLS or ssh files (tests, and the CLI's one-shot commands). */
  public static DockerEndpoint of(String host) {
    return new DockerEndpoint(host, null, null, null);
  }

  /** Whether the engine is reached over {@code ssh://}. */
  public boolean isSsh() {
    return host != null && host.regionMatches(true, 0, "ssh://", 0, 6);
  }

  /** Whether the host is a {@code tcp://} URL, the only kind TLS applies to. */
  public boolean isTcp() {
    return host != null && host.toLowerCase(Locale.ROOT).startsWith("tcp://");
  }

  /** Sets DOCKER_HOST and, with TLS, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for the CLI. */
  public void configureCli(Map<String, String> env) {
    if (host == null) {
      return;
    }
    env.put("DOCKER_HOST", host);
    // The docker CLI refuses DOCKER_HOST and DOCKER_CONTEXT together.
    env.remove("DOCKER_CONTEXT");
    if (tlsDir != null) {
      env.put("DOCKER_TLS_VERIFY", "1");
      env.put("DOCKER_CERT_PATH", tlsDir.toString());
    } else {
      // The daemon's own environment must not lend another host's certificates.
      env.remove("DOCKER_TLS_VERIFY");
      env.remove("DOCKER_CERT_PATH");
    }
  }

  /**
   * A hint for a failure to reach the engine, or "" when there is none: an engine that wants TLS
   * answers plain HTTP with a 400 people rarely connect to missing certificates.
   */
  public String hint(String failure) {
    if (host == null || failure == null) {
      return "";
    }
    if (tlsDir == null && failure.contains("HTTP request to an HTTPS server")) {
      return "; the engine requires TLS: name a Secret with ca.crt, tls.crt and tls.key in"
          + " spec.compose.tlsSecretRef";
    }
    return "";
  }

  @Override
  public String toString() {
    return (host == null ? "local" : host) + (tlsDir == null ? "" : " (TLS " + tlsFingerprint + ")");
  }

  /** An ssh:// host's private key (null = the user's) and known_hosts file. */
  public record Ssh(Path identity, Path knownHosts) {}
}
