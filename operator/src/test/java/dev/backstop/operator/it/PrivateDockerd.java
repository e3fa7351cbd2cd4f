package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second, throwaway Docker engine on a unix socket of its own, with a tiny default address pool
 * so that running out of networks can be caused without touching the machine's main engine. Own
 * data root, exec root, pidfile, containerd namespace and (empty) bridge; no iptables; vfs storage.
 * Stopping and starting it again keeps its data, as a restarted engine would.
 */
final class PrivateDockerd implements AutoCloseable {

  final Path dir;
  final String host;
  private final String pool;
  private final String bridge;
  private Process process;

  private PrivateDockerd(Path dir, String pool) {
    this.dir = dir;
    this.pool = pool;
    this.host = "unix://" + dir.resolve("d.sock");
    this.bridge = "bsef" + Integer.toHexString(dir.hashCode() & 0xfffff);
    this.netns = bridge;
  }

  // The engine runs in a network namespace of its own: a second dockerd restarted on the same data
  // root deletes the interface named docker0 (seen with engine 26), and on the host that is the
  // main engine's bridge. Its socket is a file, so the host reaches it all the same.
  private final String netns;

  private List<String> inNetns(List<String> command) {
    List<String> all = new java.util.ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + netns));
    all.addAll(command);
    return all;
  }

  /** Starts an engine whose networks come from {@code pool}, e.g. base=10.213.0.0/22,size=28. */
  static PrivateDockerd start(Path dir, String pool) throws Exception {
    PrivateDockerd d = new PrivateDockerd(dir, pool);
    try {
      run(List.of("ip", "netns", "add", d.netns));
      run(d.inNetns(List.of("ip", "link", "set", "lo", "up")));
      run(d.inNetns(List.of("ip", "link", "add", "name", d.bridge, "type", "bridge")));
      d.startEngine();
      run(List.of("sh", "-c", "docker save busybox:1.36 | docker -H " + d.host + " load"));
      return d;
    } catch (Exception | AssertionError e) {
      d.close();
      throw e;
    }
  }

  void startEngine() throws Exception {
    String ns = "backstop-ef-" + dir.getFileName();
    process = new ProcessBuilder(inNetns(List.of("dockerd", "-H", host,
        "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("d.pid").toString(),
        "--containerd-namespace", ns, "--containerd-plugins-namespace", ns + "-plugins",
        "--default-address-pool", pool,
        "--bridge=" + bridge, "--iptables=false", "--ip6tables=false", "--storage-driver=vfs")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()))
        .start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("dockerd exited: " + Files.readString(dir.resolve("dockerd.log")));
      }
      docker("version", "--format", "{{.Server.Version}}");
    });
  }

  /** Stops the engine as an outage would; its containers stop with it. */
  void stopEngine() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Runs `docker -H this ARGS`, returning its output; throws with the output when it fails. */
  String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("docker", "-H", host));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Like {@link #docker} but returns the combined output whatever the exit code. */
  String dockerOutput(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("docker", "-H", host));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      try {
        run(List.of("sh", "-c", "docker -H " + host + " ps -aq | xargs -r docker -H " + host + " rm -f; docker -H "
            + host + " network prune -f"));
      } catch (IOException e) {
        // The engine may be failing already; stopping it below is what matters.
      }
      stopEngine();
    }
    run(List.of("rm", "-rf", dir.toString()));
    // Deleting the namespace deletes its bridge with it.
    run(List.of("sh", "-c", "ip netns del " + netns + " 2>/dev/null || true"));
  }
}
