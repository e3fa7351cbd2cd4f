package dev.backstop.operator.compose;

import dev.backstop.operator.compose.ComposeException.Kind;
import java.io.File;
import dev.backstop.operator.state.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code ssh -L} forward per {@code ssh://} Docker host from a private local unix socket to the
 * host's {@code /var/run/docker.sock}: docker-java has no SSH transport, but it speaks unix
 * sockets. Started lazily, restarted when it died, stopped per host or on {@link #close()}. Owned
 * by {@link DockerHosts}, so every adapter shares the one forward of a host.
 */
final class SshForwards implements AutoCloseable {

  static final String REMOTE_SOCKET = "/var/run/docker.sock";

  private static final Logger LOG = LoggerFactory.getLogger(SshForwards.class);
  // Long enough for a slow handshake, short enough that a reconcile does not hang on a dead host.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  /** Starts the process that binds {@code socket}; a seam so tests can count starts. */
  interface Starter {
    Process start(Target target, DockerEndpoint.Ssh files, Path socket, Path log) throws IOException;
  }

  private final Starter starter;
  private final Map<String, Slot> forwards = new ConcurrentHashMap<>();
  private volatile boolean closed;

  SshForwards(SubprocessEnv env) {
    this((target, files, socket, log) -> startSsh(env, target, files, socket, log));
  }

  SshForwards(Starter starter) {
    this.starter = starter;
  }

  /** Whether {@code dockerHost} is an {@code ssh://} URL. */
  static boolean isSsh(String dockerHost) {
    return dockerHost != null && dockerHost.regionMatches(true, 0, "ssh://", 0, 6);
  }

  /**
   * The {@code unix://} URL of a live forward to {@code dockerHost}'s engine, starting or
   * restarting the forward as needed. The URL stays the same across restarts, so clients built on
   * it keep working. Callers for one host wait for its start; other hosts never wait for it.
   */
  String ensure(String dockerHost, DockerEndpoint.Ssh files) throws ComposeException {
    Target target = Target.parse(dockerHost);
    return forwards.computeIfAbsent(dockerHost, h -> new Slot()).ensure(target, files);
  }

  /** The forward's process for {@code dockerHost}, if one runs (tests check it is stopped). */
  ProcessHandle process(String dockerHost) {
    Slot slot = forwards.get(dockerHost);
    return slot == null ? null : slot.process();
  }

  /** Stops the forward of {@code dockerHost}, if one runs (its last release was deleted). */
  void close(String dockerHost) {
    Slot slot = forwards.remove(dockerHost);
    if (slot != null) {
      slot.stop();
    }
  }

  /** One host's forward; its lock serializes that host's starts and nothing else. */
  private final class Slot {
    private Forward forward;

    synchronized String ensure(Target target, DockerEndpoint.Ssh files) throws ComposeException {
      // Checked under the slot's lock: a slot made while close() ran starts nothing.
      if (closed) {
        throw new ComposeException(Kind.UNAVAILABLE, "SSH forwards are closed: shutting down");
      }
      if (forward != null && forward.process.isAlive() && Files.exists(forward.socket())) {
        return forward.url();
      }
      if (forward != null) {
        forward.stop();
      }
      boolean fresh = forward == null;
      Path dir = fresh ? privateDir() : forward.dir;
      try {
        forward = start(target, files, dir);
      } catch (ComposeException e) {
        if (fresh) {
          deleteTree(dir);
        }
        throw e;
      }
      return forward.url();
    }

    synchronized ProcessHandle process() {
      return forward == null ? null : forward.process.toHandle();
    }

    synchronized void stop() {
      if (forward != null) {
        forward.stop();
        deleteTree(forward.dir);
        forward = null;
      }
    }
  }

  private static Process startSsh(
      SubprocessEnv env, Target target, DockerEndpoint.Ssh ssh, Path socket, Path log)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ssh",
                "-nNT",
                "-o",
                "BatchMode=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "ConnectTimeout=10",
                // Notice a dead connection instead of forwarding into it forever.
                "-o",
                "ServerAliveInterval=15",
                "-o",
                "ServerAliveCountMax=3",
                // A restart reuses the path; a stale socket file must not fail the bind.
                "-o",
                "StreamLocalBindUnlink=yes"));
    if (ssh != null) {
      command.addAll(List.of("-o", "UserKnownHostsFile=" + ssh.knownHosts()));
      if (ssh.identity() != null) {
        command.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", ssh.identity().toString()));
      }
    }
    if (target.port() > 0) {
      command.addAll(List.of("-p", Integer.toString(target.port())));
    }
    command.addAll(List.of("-L", socket + ":" + REMOTE_SOCKET, "--", target.destination()));
    ProcessBuilder builder = new ProcessBuilder(command);
    SubprocessEnv.Builder vars = env.builder();
    if (ssh == null || ssh.identity() == null) {
      // No key of its own: ssh logs in as the operator user, with that user's keys and agent.
      vars.sshUser();
    }
    try {
      vars.applyTo(builder);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    return builder
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile())
        .start();
  }

  private Forward start(Target target, DockerEndpoint.Ssh files, Path dir)
      throws ComposeException {
    Path socket = dir.resolve("docker.sock");
    Path log = dir.resolve("ssh.log");
    Process process;
    try {
      Files.deleteIfExists(socket);
      process = starter.start(target, files, socket, log);
    } catch (IOException e) {
      throw new ComposeException(
          Kind.UNAVAILABLE,
          "cannot start ssh to forward the Docker socket of "
              + target.display()
              + " ("
              + e.getClass().getSimpleName()
              + "); install an OpenSSH client",
          e);
    }
    Forward forward = new Forward(dir, process);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    // ssh binds the local socket only after it logged in, so the file says the forward is up.
    while (!Files.exists(socket)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        forward.stop();
        throw new ComposeException(Kind.UNAVAILABLE, reason(target, process, log));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        forward.stop();
        Thread.currentThread().interrupt();
        throw new ComposeException(
            Kind.UNAVAILABLE, "interrupted while connecting to " + target.display());
      }
    }
    LOG.info("Forwarding the Docker socket of {} over ssh", target.display());
    return forward;
  }

  // One sentence from what ssh said; its log never holds key material, but only the verdict leaves.
  private static String reason(Target target, Process process, Path log) {
    String said;
    try {
      said = Files.readString(log);
    } catch (IOException e) {
      said = "";
    }
    String where = target.display();
    if (process.isAlive()) {
      return "cannot reach the Docker engine at "
          + where
          + ": ssh did not set up the socket forward"
          + " within "
          + START_TIMEOUT.toSeconds()
          + "s";
    }
    if (said.contains("Permission denied")) {
      return "cannot reach the Docker engine at "
          + where
          + ": the SSH server refused the key for user '"
          + target.user()
          + "'; authorize the operator's key there";
    }
    if (said.contains("Host key verification failed")
        || said.contains("IDENTIFICATION HAS CHANGED")) {
      return "cannot reach the Docker engine at "
          + where
          + ": the SSH host key is unknown or does not"
          + " match known_hosts; add the line ssh-keyscan prints for this host";
    }
    if (said.contains("Connection refused")
        || said.contains("timed out")
        || said.contains("resolve")
        || said.contains("No route to host")
        || said.contains("Connection closed")) {
      return "cannot reach the Docker engine at " + where + ": cannot connect to its SSH server";
    }
    if (said.contains("forwarding failed") || said.contains("bind")) {
      return "cannot reach the Docker engine at "
          + where
          + ": ssh could not set up the socket forward";
    }
    return "cannot reach the Docker engine at "
        + where
        + ": ssh exited with status "
        + process.exitValue();
  }

  private static Path privateDir() throws ComposeException {
    try {
      // Short path: unix socket paths are limited to about 100 bytes.
      return Files.createTempDirectory(
          "bs-ssh-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new ComposeException(
          Kind.UNAVAILABLE,
          "cannot create a private directory for an SSH forward ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Slot slot : forwards.values()) {
      slot.stop();
    }
    forwards.clear();
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      // A leftover socket directory under /tmp is harmless; the next forward gets a new one.
      LOG.debug("removing {} failed", dir, e);
    }
  }

  private record Forward(Path dir, Process process) {
    Path socket() {
      return dir.resolve("docker.sock");
    }

    String url() {
      return "unix://" + socket();
    }

    void stop() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Where ssh logs in: user@host and the port (0 = ssh's default). */
  record Target(String user, String host, int port) {
    static Target parse(String dockerHost) throws ComposeException {
      URI uri;
      try {
        uri = new URI(dockerHost);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || !isSsh(dockerHost)
          || uri.getHost() == null
          || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
        throw new ComposeException(
            Kind.INVALID,
            "spec.compose.dockerHost "
                + safe(dockerHost)
                + " is not of the form ssh://user@host[:port]");
      }
      String user = uri.getUserInfo();
      // Only the name: a password in the URL is never used and never shown.
      user = user == null ? null : user.split(":", 2)[0];
      return new Target(user, uri.getHost(), Math.max(uri.getPort(), 0));
    }

    String destination() {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      return user == null ? h : user + "@" + h;
    }

    String display() {
      return "ssh://" + (user == null ? "" : user + "@") + host + (port > 0 ? ":" + port : "");
    }

    // A password in the URL would be a secret; ssh:// hosts never need one.
    private static String safe(String dockerHost) {
      return dockerHost == null ? "null" : dockerHost.replaceAll("//[^@/]*@", "//…@");
    }
  }
}
