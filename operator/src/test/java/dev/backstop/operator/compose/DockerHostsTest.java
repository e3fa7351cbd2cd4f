package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Observation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerHostsTest {

  private static final String HOST = "tcp://127.0.0.1:1";
  private static final DockerTls TLS = new DockerTls("CA-SECRET", "CERT-SECRET", "KEY-SECRET");
  @TempDir Path tmp;

  // Forwards that start `sleep` and create the socket file: the bookkeeping without an sshd.
  private final List<Process> started = new CopyOnWriteArrayList<>();
  private final List<String> startedFor = new CopyOnWriteArrayList<>();
  private final SshForwards.Starter fakeSsh = (target, files, socket, log) -> {
    Files.createFile(socket);
    Process p = new ProcessBuilder("sleep", "300").start();
    started.add(p);
    startedFor.add(target.display());
    return p;
  };
  private final DockerHosts hosts = new DockerHosts(new SshForwards(fakeSsh));

  @AfterEach
  void close() {
    hosts.close();
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aReleaseWithoutTlsGetsNoneEvenWhenAnotherRegisteredItForTheSameHost() {
    assertThat(hosts.useTls("team-a/web", HOST, TLS, tmp.resolve("a/docker-tls"))).isNull();

    DockerEndpoint a = hosts.endpoint("team-a/web", HOST);
    DockerEndpoint b = hosts.endpoint("team-b/web", HOST);
    assertThat(a.tlsDir()).isEqualTo(tmp.resolve("a/docker-tls").toAbsolutePath());
    assertThat(b.tlsDir()).isNull();
    assertThat(b.tlsFingerprint()).isNull();

    Map<String, String> env = new HashMap<>(Map.of("DOCKER_CERT_PATH", "/elsewhere", "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CONTEXT", "x"));
    b.configureCli(env);
    assertThat(env).doesNotContainKeys("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT")
        .containsEntry("DOCKER_HOST", HOST);
    a.configureCli(env);
    assertThat(env).containsEntry("DOCKER_TLS_VERIFY", "1")
        .containsEntry("DOCKER_CERT_PATH", a.tlsDir().toString());
    // The TLS hint goes to the release that has no certificates, not to the one that has.
    assertThat(b.hint("client sent an HTTP request to an HTTPS server")).contains("tlsSecretRef");
    assertThat(a.hint("client sent an HTTP request to an HTTPS server")).isEmpty();
  }

  @Test
  void tlsIsForTheHostItWasRegisteredForAndGoesWhenTheSecretIsDropped() {
    hosts.useTls("ns/web", HOST, TLS, tmp.resolve("docker-tls"));
    assertThat(hosts.endpoint("ns/web", "tcp://127.0.0.1:2").tlsDir()).isNull();
    assertThat(hosts.endpoint("ns/web", HOST).tlsDir()).isNotNull();

    assertThat(hosts.useTls("ns/web", HOST, null, tmp.resolve("docker-tls"))).isNull();
    assertThat(hosts.endpoint("ns/web", HOST).tlsDir()).isNull();
  }

  @Test
  void rotatedMaterialGetsANewFingerprintThatShowsNoMaterial() {
    Path dir = tmp.resolve("tls");
    hosts.useTls("ns/web", HOST, new DockerTls("CA\n", "CERT\n", "KEY\n"), dir);
    String before = hosts.endpoint("ns/web", HOST).tlsFingerprint();
    hosts.useTls("ns/web", HOST, new DockerTls("CA\n", "CERT\n", "KEY2\n"), dir);
    DockerEndpoint after = hosts.endpoint("ns/web", HOST);
    assertThat(after.tlsFingerprint()).isNotEqualTo(before).doesNotContain("KEY");
    assertThat(after).isNotEqualTo(hosts.endpoint("ns/other", HOST));
    assertThat(after.toString()).doesNotContain("KEY");
  }

  @Test
  void writesOwnerOnlyTlsFilesWhereTheReleaseSays() throws Exception {
    Path dir = tmp.resolve("work/docker-tls");
    assertThat(hosts.useTls("ns/web", HOST, TLS, dir)).isNull();
    assertThat(Files.readString(dir.resolve("key.pem"))).isEqualTo("KEY-SECRET");
    for (String name : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
      assertThat(Files.getPosixFilePermissions(dir.resolve(name)))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void tlsForAHostThatIsNotTcpIsAnInvalidSpecNamingNoValue() {
    Observation.Problem problem =
        hosts.useTls("ns/web", "unix:///var/run/docker.sock", TLS, tmp.resolve("t"));
    assertThat(problem.reason()).isEqualTo(Reason.InvalidSpec);
    assertThat(problem.message()).contains("tlsSecretRef", "tcp://").doesNotContain("SECRET");
    assertThat(hosts.useTls("ns/web", null, TLS, tmp.resolve("t")).message()).contains("not set");
    assertThat(hosts.endpoint("ns/web", "unix:///var/run/docker.sock").tlsDir()).isNull();
  }

  @Test
  void anUnwritableStateDirIsDockerUnavailableNamingNoValue() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Observation.Problem problem = hosts.useTls("ns/web", HOST, TLS, file.resolve("docker-tls"));
    assertThat(problem.reason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(problem.message()).contains("cannot write the TLS files").doesNotContain("SECRET");
  }

  @Test
  void oneClientPerEndpointAndPurposeWithTheEventStreamApart() throws Exception {
    DockerEndpoint a = hosts.endpoint("ns/a", HOST);
    DockerEndpoint b = hosts.endpoint("ns/b", HOST);
    assertThat(hosts.client(a, DockerHosts.Purpose.API)).isSameAs(hosts.client(b, DockerHosts.Purpose.API));
    assertThat(hosts.client(a, DockerHosts.Purpose.EVENTS))
        .isNotSameAs(hosts.client(a, DockerHosts.Purpose.API));
    hosts.close();
    ComposeException closed =
        catchThrowableOfType(() -> hosts.client(a, DockerHosts.Purpose.API), ComposeException.class);
    assertThat(closed.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
  }

  @Test
  void twoReleasesOnOneSshHostShareOneForwardThatIsRestartedAndClosedWithTheLastOfThem()
      throws Exception {
    String ssh = "ssh://me@db.example:2222";
    DockerEndpoint web = hosts.endpoint("ns/web", ssh);
    DockerEndpoint jobs = hosts.endpoint("other/jobs", ssh);
    // Three callers: an API client, the backup's docker CLI, the event stream's client.
    hosts.client(web, DockerHosts.Purpose.API);
    Map<String, String> env = new HashMap<>();
    hosts.configureForwardedCli(jobs, env);
    hosts.client(jobs, DockerHosts.Purpose.EVENTS);
    assertThat(started).hasSize(1);
    assertThat(startedFor).containsExactly("ssh://me@db.example:2222");
    assertThat(env.get("DOCKER_HOST")).startsWith("unix://").endsWith("/docker.sock");

    // A forward that died is started again on the same socket path.
    started.get(0).destroyForcibly().waitFor();
    Map<String, String> again = new HashMap<>();
    hosts.configureForwardedCli(web, again);
    assertThat(started).hasSize(2);
    assertThat(again).containsEntry("DOCKER_HOST", env.get("DOCKER_HOST"));

    // Another ssh host gets its own forward.
    hosts.client(hosts.endpoint("ns/db", "ssh://me@other.example"), DockerHosts.Purpose.API);
    assertThat(started).hasSize(3);

    hosts.forget("ns/web");
    assertThat(started.get(1).isAlive()).as("still used by other/jobs").isTrue();
    hosts.forget("other/jobs");
    assertThat(started.get(1).isAlive()).as("nobody names the host any more").isFalse();
    assertThat(hosts.forwardProcess(ssh)).isNull();

    hosts.close();
    assertThat(started.get(2).isAlive()).isFalse();
  }

  @Test
  void sshHostsWithAPathAreInvalidAndShowNoPassword() {
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    ComposeException e =
        catchThrowableOfType(
            () -> observer.containers("p", hosts.endpoint("ns/x", "ssh://me:pw@example.invalid/some/path")),
            ComposeException.class);
    assertThat(e.kind()).isEqualTo(ComposeException.Kind.INVALID);
    assertThat(e.getMessage())
        .contains("is not of the form ssh://user@host[:port]")
        .doesNotContain("pw");
    assertThat(started).isEmpty();
  }

  @Test
  void tlsStringShowsNoMaterial() {
    assertThat(new DockerTls("CA-PEM", "CERT-PEM", "KEY-PEM").toString()).doesNotContain("PEM");
  }

  @Test
  void aForwardThatCannotStartSaysWhyAndIsNotCounted() {
    DockerHosts failing = new DockerHosts(new SshForwards((t, f, s, l) -> {
      throw new IOException("no ssh");
    }));
    ComposeException e = catchThrowableOfType(
        () -> failing.client(failing.endpoint("ns/x", "ssh://me@h"), DockerHosts.Purpose.API),
        ComposeException.class);
    failing.close();
    assertThat(e.getMessage()).contains("install an OpenSSH client");
  }
}
