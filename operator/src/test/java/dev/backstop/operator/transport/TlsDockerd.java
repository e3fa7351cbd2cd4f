package dev.backstop.operator.transport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A second, throwaway Docker engine on this machine that only answers TLS clients with a
 * certificate from its own CA, on {@code tcp://127.0.0.1:PORT}. Its own data root, exec root,
 * pidfile, containerd namespace and unix socket keep it apart from the main engine; a bridge of its
 * own and no iptables so the two do not fight over the network (test stacks use {@code
 * network_mode: none}); vfs storage so nothing is left mounted after it stops. Not {@code
 * --bridge=none}: with it dockerd deletes any interface named docker0, the main engine's bridge.
 */
public final class TlsDockerd implements AutoCloseable {

  final Path dir;
  public final Path certs;
  final Path otherCaCerts;
  public final String host;
  public final String unixHost;
  private Process process;
  private String bridge;

  private TlsDockerd(Path dir, int port) {
    this.dir = dir;
    this.certs = dir.resolve("client");
    this.otherCaCerts = dir.resolve("other-client");
    this.host = "tcp://127.0.0.1:" + port;
    this.unixHost = "unix://" + dir.resolve("d.sock");
  }

  public static TlsDockerd start(Path dir) throws Exception {
    TlsDockerd d = new TlsDockerd(dir, Processes.freePort());
    try {
      d.generateCertificates();
      d.startEngine();
      d.loadBusybox();
      return d;
    } catch (Exception | AssertionError e) {
      d.close();
      throw e;
    }
  }

  private void generateCertificates() throws Exception {
    Path ca = Files.createDirectories(dir.resolve("ca"));
    Files.createDirectories(certs);
    Files.createDirectories(otherCaCerts);
    Files.writeString(ca.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    Files.writeString(ca.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    caAndClient(ca, certs, "backstop-it-ca");
    Processes.run(ca, List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem",
        "-out", "server.csr", "-subj", "/CN=127.0.0.1"));
    Processes.run(ca, List.of("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
        "-CAcreateserial", "-out", "server-cert.pem", "-days", "1", "-extfile", "server.ext"));
    // A client from a CA the engine does not trust, and which does not trust the engine.
    Path other = Files.createDirectories(dir.resolve("other-ca"));
    Files.copy(ca.resolve("client.ext"), other.resolve("client.ext"));
    caAndClient(other, otherCaCerts, "someone-else");
  }

  private static void caAndClient(Path ca, Path client, String name) throws Exception {
    Processes.run(ca, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem",
        "-out", "ca.pem", "-days", "1", "-subj", "/CN=" + name));
    Processes.run(ca, List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client-key.pem",
        "-out", "client.csr", "-subj", "/CN=client"));
    Processes.run(ca, List.of("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
        "-CAcreateserial", "-out", "client-cert.pem", "-days", "1", "-extfile", "client.ext"));
    Files.copy(ca.resolve("ca.pem"), client.resolve("ca.pem"));
    Files.copy(ca.resolve("client-cert.pem"), client.resolve("cert.pem"));
    Files.copy(ca.resolve("client-key.pem"), client.resolve("key.pem"));
  }

  private void startEngine() throws Exception {
    // An empty bridge of its own: dockerd gives it an address from its default pools, as it does
    // for every compose network, and leaves docker0 alone.
    bridge = "bstls" + Integer.toHexString(dir.hashCode() & 0xfffff);
    Processes.run(dir, List.of("ip", "link", "add", "name", bridge, "type", "bridge"));
    Path ca = dir.resolve("ca");
    String ns = "backstop-it-" + dir.getFileName();
    process = new ProcessBuilder(List.of("dockerd",
        "--tlsverify", "--tlscacert", ca.resolve("ca.pem").toString(),
        "--tlscert", ca.resolve("server-cert.pem").toString(), "--tlskey", ca.resolve("server-key.pem").toString(),
        "-H", host, "-H", unixHost,
        "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("d.pid").toString(),
        "--containerd-namespace", ns, "--containerd-plugins-namespace", ns + "-plugins",
        "--bridge=" + bridge, "--iptables=false", "--ip6tables=false", "--storage-driver=vfs"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("dockerd.log").toFile())
        .start();
    // Until the socket answers `docker version` fails with an IOException: that is "not yet".
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreException(IOException.class)
        .untilAsserted(() -> {
          if (!process.isAlive()) {
            throw new AssertionError("dockerd exited: " + Files.readString(dir.resolve("dockerd.log")));
          }
          Processes.run(dir, List.of("docker", "-H", unixHost, "version", "--format", "{{.Server.Version}}"));
        });
  }

  private void loadBusybox() throws Exception {
    Processes.run(dir, List.of("sh", "-c", "docker save busybox:1.36 | docker -H " + unixHost + " load"));
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      // Containers first, so dockerd does not wait for them on its way down.
      try {
        Processes.run(dir, List.of("sh", "-c", "docker -H " + unixHost + " ps -aq | xargs -r docker -H " + unixHost
            + " rm -f"));
      } catch (IOException e) {
        // The engine may already be gone; stopping it below is what matters.
      }
      Processes.stop(process);
      // vfs layers hold symlinks to /usr/bin/busybox that JUnit's cleanup warns about one by one.
      Processes.run(dir, List.of("rm", "-rf", dir.resolve("data").toString(), dir.resolve("exec").toString()));
    }
    if (bridge != null) {
      Processes.run(dir, List.of("ip", "link", "del", bridge));
    }
  }
}
