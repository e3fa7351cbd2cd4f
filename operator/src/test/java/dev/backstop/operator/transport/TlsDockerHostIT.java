package dev.backstop.operator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.compose.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code tcp://} Docker host that demands TLS client certificates: a second real dockerd, the
 * real compose CLI and docker-java, with the material written the way a tlsSecretRef is.
 */
class TlsDockerHostIT {

  @TempDir static Path tmp;
  private static TlsDockerd engine;
  private final DockerComposeCli cli = new DockerComposeCli(Duration.ofSeconds(60));
  private static final String RELEASE = "it/tls";
  private final DockerHosts hosts = new DockerHosts();
  private final DockerContainerObserver observer = new DockerContainerObserver(hosts);

  @BeforeAll
  static void startEngine() throws Exception {
    engine = TlsDockerd.start(Files.createDirectories(tmp.resolve("d")));
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
    // A second engine must leave the main one whole: with --bridge=none dockerd deletes docker0,
    // and every later `docker run` on the default network then fails.
    org.assertj.core.api.Assertions.assertThat(java.nio.file.Path.of("/sys/class/net/docker0"))
        .as("the main engine's docker0 bridge after the TLS engine stopped")
        .exists();
  }

  @AfterEach
  void forgetMaterial() {
    hosts.close();
  }

  @Test
  void composeAndObserverReachTheEngineWithTheSecretsCertificates() throws Exception {
    DockerTls tls = secretFrom(engine.certs);
    Path written = TlsFiles.write(tmp.resolve("state/docker-tls"), tls);
    assertThat(Files.getPosixFilePermissions(written.resolve("key.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(written)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(hosts.useTls(RELEASE, engine.host, tls, written)).isNull();
    ComposeProject project = project("tlsup");

    cli.upFromHostImages(project);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(observer.containers("tlsup", endpoint()))
            .singleElement()
            .satisfies(c -> {
              assertThat(c.service()).isEqualTo("app");
              assertThat(c.state()).isEqualTo("running");
              assertThat(c.image()).isEqualTo("busybox:1.36");
            }));
    // The container runs on the TLS engine, not on the main one.
    assertThat(observer.containers("tlsup", DockerEndpoint.LOCAL)).isEmpty();
    // Another release naming the same host without a Secret gets no certificates of this one.
    ComposeException other = catchThrowableOfType(
        () -> observer.containers("tlsup", hosts.endpoint("other/tls", engine.host)), ComposeException.class);
    assertThat(other.getMessage()).contains("the engine requires TLS");
    ComposeException otherUp = catchThrowableOfType(() -> cli.upFromHostImages(new ComposeProject("tlsup",
        project.directory(), project.files(), List.of(), hosts.endpoint("other/tls", engine.host))),
        ComposeException.class);
    assertThat(otherUp.getMessage()).contains("HTTP request to an HTTPS server", "spec.compose.tlsSecretRef");

    cli.down(project, true);
    assertThat(observer.containers("tlsup", endpoint())).isEmpty();
  }

  @Test
  void withoutCertificatesBothFailSayingTheEngineWantsTls() throws Exception {
    ComposeException observed =
        catchThrowableOfType(() -> observer.containers("tlsnone", endpoint()), ComposeException.class);
    assertThat(observed.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
    assertThat(observed.getMessage())
        .startsWith("cannot reach the Docker engine at " + engine.host)
        .contains("HTTP request to an HTTPS server", "the engine requires TLS", "spec.compose.tlsSecretRef");

    ComposeException up = catchThrowableOfType(() -> cli.upFromHostImages(project("tlsnone")), ComposeException.class);
    assertThat(up.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
    assertThat(up.getMessage())
        .startsWith("docker compose up failed")
        .contains("HTTP request to an HTTPS server", "spec.compose.tlsSecretRef");
  }

  @Test
  void certificatesFromAnotherCaAreRefusedWithoutShowingTheKey() throws Exception {
    DockerTls wrong = secretFrom(engine.otherCaCerts);
    assertThat(hosts.useTls(RELEASE, engine.host, wrong, tmp.resolve("wrong/docker-tls"))).isNull();

    ComposeException observed =
        catchThrowableOfType(() -> observer.containers("tlswrong", endpoint()), ComposeException.class);
    assertThat(observed.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
    assertThat(observed.getMessage()).startsWith("cannot reach the Docker engine at " + engine.host);
    ComposeException up = catchThrowableOfType(() -> cli.upFromHostImages(project("tlswrong")), ComposeException.class);
    assertThat(up.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
    assertThat(up.getMessage()).contains("x509");
    for (String message : List.of(observed.getMessage(), up.getMessage(), wrong.toString())) {
      assertThat(message).doesNotContain(body(wrong.clientKey())).doesNotContain("PRIVATE KEY");
    }
  }

  private ComposeProject project(String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("projects/" + name));
    Files.writeString(dir.resolve("compose.yaml"), """
        services:
          app:
            image: busybox:1.36
            command: ["sleep", "300"]
            # The TLS engine runs without a bridge so it cannot clash with the main one.
            network_mode: none
            init: true
            stop_grace_period: 1s
        """);
    return new ComposeProject(name, dir, List.of("compose.yaml"), List.of(), endpoint());
  }

  private DockerEndpoint endpoint() {
    return hosts.endpoint(RELEASE, engine.host);
  }

  private static DockerTls secretFrom(Path dir) throws Exception {
    return new DockerTls(Files.readString(dir.resolve("ca.pem")), Files.readString(dir.resolve("cert.pem")),
        Files.readString(dir.resolve("key.pem")));
  }

  // A line from the middle of the PEM body: the part that must never leak.
  private static String body(String pem) {
    return pem.lines().skip(3).findFirst().orElseThrow();
  }

}
