package dev.backstop.operator.compose;

import dev.backstop.operator.api.v1alpha1.Reason;
import java.util.List;
import java.util.Locale;

/**
 * A failure that is the Docker engine's or the host's, not the commit's: recognised in what the
 * docker and compose CLIs print, so that the core retries it instead of quarantining the commit.
 */
public enum EngineFault {
  UNREACHABLE(
      Reason.DockerUnavailable,
      "the Docker engine is not answering; it is retried with backoff",
      List.of(
          "cannot connect to the docker daemon",
          "error during connect",
          "is the docker daemon running",
          "the docker daemon is restarting",
          "daemon is shutting down")),
  ADDRESS_POOLS(
      Reason.AddressPoolsExhausted,
      "the engine has no free network address pool; remove unused networks (docker network prune) or"
          + " set default-address-pools in /etc/docker/daemon.json",
      List.of("could not find an available, non-overlapping ipv4 address pool")),
  DISK_FULL(
      Reason.DiskFull,
      "the Docker host's disk is full; free space (docker image prune, old volumes)",
      List.of("no space left on device")),
  PORT_CONFLICT(
      Reason.PortConflict,
      "a published port is held by a process outside the project; stop it or change the port",
      // Engines before 20.10 printed the errno ("Failed to bind: EADDRINUSE").
      List.of("port is already allocated", "address already in use", "failed to bind: eaddrinuse")),
  REGISTRY(
      Reason.RegistryUnavailable,
      "the image registry cannot be reached; it is retried with backoff",
      List.of(
          "connection refused",
          "tls handshake timeout",
          "i/o timeout",
          "no such host",
          "temporary failure in name resolution",
          "server misbehaving",
          "net/http: request canceled",
          "client.timeout exceeded while awaiting headers",
          "context deadline exceeded",
          "503 service unavailable",
          "502 bad gateway",
          "toomanyrequests"));

  private final Reason reason;
  private final String hint;
  private final List<String> markers;

  EngineFault(Reason reason, String hint, List<String> markers) {
    this.reason = reason;
    this.hint = hint;
    this.markers = markers;
  }

  /** The condition reason this fault is reported under. */
  public Reason reason() {
    return reason;
  }

  /** What a person can do about it, appended to the status message. */
  public String hint() {
    return hint;
  }

  /**
   * The fault {@code output} shows, or null when it is none of the engine's. Order matters: a
   * full disk or missing pool is more specific than anything else printed with it, and registry
   * markers count only where images are fetched (pull, build), since elsewhere a refused connection
   * may well be the commit's own doing.
   */
  public static EngineFault in(String output, boolean fetchesImages) {
    if (output == null) {
      return null;
    }
    String text = output.toLowerCase(Locale.ROOT);
    for (EngineFault f : List.of(ADDRESS_POOLS, DISK_FULL, PORT_CONFLICT)) {
      if (f.matches(text)) {
        return f;
      }
    }
    if (fetchesImages && REGISTRY.matches(text)) {
      return REGISTRY;
    }
    return UNREACHABLE.matches(text) ? UNREACHABLE : null;
  }

  private boolean matches(String lowerCaseText) {
    return markers.stream().anyMatch(lowerCaseText::contains);
  }
}
