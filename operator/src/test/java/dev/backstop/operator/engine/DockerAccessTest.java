package dev.backstop.operator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.compose.DockerEndpoints;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.core.Observation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerAccessTest {

  private static final DockerTls TLS = new DockerTls("CA-SECRET", "CERT-SECRET", "KEY-SECRET");
  @TempDir Path work;
  private final DockerEndpoints endpoints = DockerEndpoints.shared();

  @Test
  void writesOwnerOnlyFilesUnderTheReleaseAndRegistersThem() throws Exception {
    String host = "tcp://127.0.0.1:2";
    try {
      assertThat(DockerAccess.install(host, work, TLS, endpoints)).isNull();
      Path dir = work.resolve("docker-tls");
      assertThat(endpoints.tlsCertPath(host)).isEqualTo(dir.toAbsolutePath());
      assertThat(Files.readString(dir.resolve("key.pem"))).isEqualTo("KEY-SECRET");
      for (String name : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
        assertThat(Files.getPosixFilePermissions(dir.resolve(name)))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
    } finally {
      endpoints.forget(host);
    }
  }

  @Test
  void tlsForAHostThatIsNotTcpIsAnInvalidSpecNamingNoValue() {
    Observation.Problem problem = DockerAccess.install("unix:///var/run/docker.sock", work, TLS, endpoints);
    assertThat(problem.reason()).isEqualTo(Reason.InvalidSpec);
    assertThat(problem.message()).contains("tlsSecretRef", "tcp://").doesNotContain("SECRET");
    assertThat(DockerAccess.install(null, work, TLS, endpoints).message()).contains("not set");
    assertThat(DockerAccess.install("tcp://h:1", work, null, endpoints)).isNull();
  }

  @Test
  void anUnwritableStateDirIsDockerUnavailableNamingNoValue() throws Exception {
    Path file = Files.writeString(work.resolve("not-a-dir"), "x");
    Observation.Problem problem = DockerAccess.install("tcp://127.0.0.1:3", file, TLS, endpoints);
    assertThat(problem.reason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(problem.message()).contains("cannot write the TLS files").doesNotContain("SECRET");
  }
}
