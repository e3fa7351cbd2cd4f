package dev.backstop.operator.transport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real OpenSSH server on a free loopback port with its own host key and one authorized client
 * key, logging in as the current (root) user: git-upload-pack and the docker CLI run as on any
 * ssh host.
 */
final class TestSshd implements AutoCloseable {

  final Path dir;
  final int port;
  /** The authorized client key (OpenSSH PEM) and its public half. */
  final Path clientKey;
  /** A key the server does not accept. */
  final Path strangerKey;
  /** known_hosts lines for this server, and for the same address with another host key. */
  final String knownHosts;
  final String wrongKnownHosts;
  private Process process;

  private TestSshd(Path dir, int port, String knownHosts, String wrongKnownHosts) {
    this.dir = dir;
    this.port = port;
    this.clientKey = dir.resolve("client");
    this.strangerKey = dir.resolve("stranger");
    this.knownHosts = knownHosts;
    this.wrongKnownHosts = wrongKnownHosts;
  }

  static TestSshd start(Path dir) throws Exception {
    int port = Processes.freePort();
    for (String name : List.of("host", "other-host", "client", "stranger")) {
      Processes.run(dir, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name));
    }
    String address = "[127.0.0.1]:" + port + " ";
    TestSshd sshd = new TestSshd(dir, port, address + Files.readString(dir.resolve("host.pub")),
        address + Files.readString(dir.resolve("other-host.pub")));
    try {
      sshd.startServer();
      return sshd;
    } catch (Exception | AssertionError e) {
      sshd.close();
      throw e;
    }
  }

  private void startServer() throws IOException {
    Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port,
        "ListenAddress 127.0.0.1",
        "HostKey " + dir.resolve("host"),
        "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        // The temp dir is not root-owned all the way up; this server trusts it.
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "PermitRootLogin prohibit-password",
        "AllowTcpForwarding yes",
        "AllowStreamLocalForwarding yes",
        "LogLevel VERBOSE",
        ""));
    // Privilege separation directory; the packaged service creates it at boot.
    Files.createDirectories(Path.of("/run/sshd"));
    process = new ProcessBuilder(List.of("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("sshd.log").toFile())
        .start();
    // Refused connections are expected until sshd binds; awaitility fails fast on any other throw.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(ConnectException.class)
        .untilAsserted(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getInputStream().read();
      }
    });
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("sshd.log"));
  }

  @Override
  public void close() throws Exception {
    Processes.stop(process);
  }
}
