package dev.backstop.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.compose.DockerEndpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The `docker exec -i` CLI a restore runs: a Secret's password goes by environment, never by argument. */
class ExecCliTest {

  @Test
  void thePasswordIsForwardedByNameAndLivesOnlyInTheCliEnvironment() {
    ProcessBuilder b = DockerDatabaseBackups.restoreCli("c1", "psql", "m", "Tr0ub4dor");
    // What configureForwardedCli does first: the allowlisted environment replaces the inherited one.
    b.environment().clear();
    DockerDatabaseBackups.withPassword(b, "Tr0ub4dor");
    assertThat(b.command()).containsExactly("docker", "exec", "-i", "-e", "BACKSTOP_DB_PASSWORD", "c1", "sh", "-c",
        "psql", "m");
    assertThat(String.join(" ", b.command())).doesNotContain("Tr0ub4dor");
    assertThat(b.environment()).containsEntry("BACKSTOP_DB_PASSWORD", "Tr0ub4dor");
  }

  @Test
  void withoutASecretNothingIsForwarded() {
    ProcessBuilder b = DockerDatabaseBackups.withPassword(
        DockerDatabaseBackups.restoreCli("c1", "psql", "m", null), null);
    assertThat(b.command()).containsExactly("docker", "exec", "-i", "c1", "sh", "-c", "psql", "m");
    assertThat(b.command()).doesNotContain("-e");
  }

  @Test
  void aTargetNeverPrintsItsPassword() {
    var t = new DatabaseBackups.Target("p", "db", DockerEndpoint.LOCAL, Duration.ofMinutes(1), "Tr0ub4dor");
    assertThat(t.toString()).doesNotContain("Tr0ub4dor").contains("password=true");
  }
}
