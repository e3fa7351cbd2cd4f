package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.EngineRetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dump that fails stops the deploy, and the stack that ran keeps running untouched; a database
 * container gone is retried as the host's fault and the deploy goes on once it is back.
 */
class BackupFailureIT {

  @TempDir Path tmp;
  private PgStack stack;

  @BeforeEach
  void setUp() throws Exception {
    stack = new PgStack(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    stack.close();
  }

  @Test
  void aWrongDumpCommandStopsTheDeployAndADatabaseDownHoldsItUntilTheDatabaseIsBack() throws Exception {
    stack.reconcileUntil(Duration.ofSeconds(90), () -> stack.status != null && stack.status.getPhase() == Phase.Healthy);
    String v1 = stack.commit("v1");
    String app = stack.containerId("app");

    // 1. A dump command that exits non-zero.
    stack.release.getSpec().getBackup().setCommand("pg_dump -U app no_such_database");
    stack.release.getSpec().getSource().setRef("v2");
    stack.specChanged();
    stack.reconcileUntil(Duration.ofSeconds(30), () -> ready().getReason() == Reason.BackupFailed);
    assertThat(ready().getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(ready().getMessage()).contains("exited with 1", "no_such_database");
    assertOldStackUntouched(v1, app);
    // Not retried blindly: more reconciles change nothing.
    for (int i = 0; i < 3; i++) {
      stack.reconcileOnce();
    }
    assertThat(stack.status.getHistory()).extracting(h -> h.getAction() + ":" + h.getResult())
        .containsExactly("Deploy:Failed", "Deploy:Succeeded");
    assertOldStackUntouched(v1, app);

    // 2. A good command, but the database container is gone: the host's trouble, not the commit's.
    // No deploy while it lasts, retried with backoff, Stalled after the bound, nothing quarantined.
    stack.release.getSpec().getBackup().setCommand(PgStack.DUMP);
    stack.specChanged();
    DemoRepo.run(List.of("docker", "compose", "-p", stack.project, "stop", "-t", "2", "db"), tmp);
    stack.reconcileUntil(Duration.ofSeconds(60), () -> stack.status.getEngineFault() != null
        && stack.status.getEngineFault().getAttempts() >= EngineRetry.STALLED_ATTEMPTS);
    assertThat(stack.status.getEngineFault().getReason()).isEqualTo(Reason.DockerUnavailable);
    assertThat(stack.status.getEngineFault().getMessage()).contains("db", "not running");
    assertThat(Conditions.find(stack.status.getConditions(), ConditionType.Stalled).getReason())
        .isEqualTo(Reason.DockerUnavailable);
    assertThat(stack.status.getQuarantined()).isEmpty();
    assertThat(stack.status.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(stack.containerId("app")).as("the v1 app container keeps serving").isEqualTo(app);
    assertThat(stack.status.getBackups()).isEmpty();
    try (var files = Files.list(tmp.resolve("state").resolve("backups"))) {
      assertThat(files.toList()).as("no partial or empty dump left behind").isEmpty();
    }

    // The database is back: the backup is taken and the deploy goes on by itself (v2 then fails its
    // own healthcheck and is rolled back: that, not the database outage, is what it is held for).
    DemoRepo.run(List.of("docker", "compose", "-p", stack.project, "start", "db"), tmp);
    stack.reconcileUntil(Duration.ofMinutes(3), () -> stack.status.getPhase() == Phase.RolledBack);
    assertThat(stack.status.getBackups()).hasSize(1);
    assertThat(stack.status.getEngineFault()).isNull();
    assertThat(stack.status.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed));
  }

  private Condition ready() {
    return Conditions.find(stack.status.getConditions(), ConditionType.Ready);
  }

  private void assertOldStackUntouched(String v1, String app) throws Exception {
    assertThat(stack.status.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(stack.status.getOperation()).isNull();
    assertThat(stack.containerId("app")).as("the v1 app container keeps serving").isEqualTo(app);
    assertThat(stack.observer.containers(stack.project, null).stream()
        .filter(c -> c.service().equals("app")).findFirst().orElseThrow().running()).isTrue();
  }
}
