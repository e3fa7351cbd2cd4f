package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerEndpointsTest {

  private static final String HOST = "tcp://127.0.0.1:1";
  @TempDir Path tmp;
  private final DockerEndpoints endpoints = DockerEndpoints.shared();

  @AfterEach
  void forget() {
    endpoints.forget(HOST);
  }

  @Test
  void cliGetsTlsVariablesOnlyForHostsWithMaterialAndNeverInheritsOthers() throws Exception {
    Path dir = TlsFiles.write(tmp.resolve("tls"), new DockerTls("CA\n", "CERT\n", "KEY\n"));
    Map<String, String> env = new HashMap<>(Map.of("DOCKER_CERT_PATH", "/elsewhere", "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CONTEXT", "x"));
    endpoints.configureCli(env, HOST);
    assertThat(env).doesNotContainKeys("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT")
        .containsEntry("DOCKER_HOST", HOST);

    endpoints.useTls(HOST, dir);
    endpoints.configureCli(env, HOST);
    assertThat(env).containsEntry("DOCKER_TLS_VERIFY", "1").containsEntry("DOCKER_CERT_PATH", dir.toString());
    assertThat(endpoints.clientConfig(HOST).getSSLConfig()).isNotNull();
    assertThat(Files.readString(dir.resolve("key.pem"))).isEqualTo("KEY\n");
  }

  @Test
  void rotatedMaterialGetsANewCacheKeySoNoClientKeepsTheOldKey() throws Exception {
    Path dir = tmp.resolve("tls");
    endpoints.useTls(HOST, TlsFiles.write(dir, new DockerTls("CA\n", "CERT\n", "KEY\n")));
    String before = endpoints.cacheKey(HOST);
    endpoints.useTls(HOST, TlsFiles.write(dir, new DockerTls("CA\n", "CERT\n", "KEY2\n")));
    assertThat(endpoints.cacheKey(HOST)).isNotEqualTo(before).startsWith(HOST + "#");
    assertThat(endpoints.cacheKey(HOST)).doesNotContain("KEY");
  }

  @Test
  void sshHostsWithAPathAreInvalidAndOnlyForwardOwnersGetAConfig() {
    DockerContainerObserver observer = new DockerContainerObserver();
    ComposeException e =
        catchThrowableOfType(
            () -> observer.containers("p", "ssh://me:pw@example.invalid/some/path"),
            ComposeException.class);
    observer.close();
    assertThat(e.kind()).isEqualTo(ComposeException.Kind.INVALID);
    assertThat(e.getMessage())
        .contains("is not of the form ssh://user@host[:port]")
        .doesNotContain("pw");
    // Backups build short-lived clients without a forward: they refuse rather than misroute.
    assertThatThrownBy(() -> endpoints.clientConfig("SSH://x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tlsStringShowsNoMaterial() {
    assertThat(new DockerTls("CA-PEM", "CERT-PEM", "KEY-PEM").toString()).doesNotContain("PEM");
  }
}
