package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Conditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump that fails stops the deploy, and the stack that ran keeps running untouched. */
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
  void wrongDumpCommandThenDatabaseDownBothStopTheDeploy() throws Exception {
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

    // 2. A good command, but the database is down: still no deploy.
    stack.release.getSpec().getBackup().setCommand(PgStack.DUMP);
    stack.specChanged();
    DemoRepo.run(List.of("docker", "compose", "-p", stack.project, "stop", "-t", "2", "db"), tmp);
    stack.reconcileUntil(Duration.ofSeconds(30), () -> stack.status.getHistory().size() == 3
        && ready().getReason() == Reason.BackupFailed);
    assertThat(ready().getMessage()).contains("db", "not running");
    assertThat(stack.status.getHistory().get(0).getReason()).contains("not running");
    assertOldStackUntouched(v1, app);
    assertThat(stack.status.getBackups()).isEmpty();
    try (var files = Files.list(tmp.resolve("state").resolve("backups"))) {
      assertThat(files.toList()).as("no partial or empty dump left behind").isEmpty();
    }
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
