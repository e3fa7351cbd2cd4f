package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.backup.BackupFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deploy that migrates the database and then fails is rolled back, data included. */
class BackupRestoreIT {

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
  void failedMigratingDeployIsRolledBackAndTheDatabaseIsExactlyV1sAgain() throws Exception {
    stack.reconcileUntil(Duration.ofSeconds(90), () -> stack.status != null && stack.status.getPhase() == Phase.Healthy);
    String v1Rows = stack.sql("SELECT id, name FROM items ORDER BY id");
    assertThat(v1Rows).isEqualTo("1|apple\n2|pear\n3|plum");
    String v1Columns = stack.sql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'items'");
    String dbContainer = stack.containerId("db");

    stack.release.getSpec().getSource().setRef("v2");
    stack.specChanged();
    stack.reconcileUntil(Duration.ofSeconds(90), () -> stack.status.getPhase() == Phase.RolledBack
        || stack.status.getPhase() == Phase.Failed);

    assertThat(stack.status.getPhase()).as("phase; history: %s", stack.status.getHistory().get(0).getReason())
        .isEqualTo(Phase.RolledBack);
    assertThat(stack.status.getCurrent().getCommit()).isEqualTo(stack.commit("v1"));
    // v2 did migrate: the restore, not luck, brings v1's data back.
    assertThat(stack.status.getHistory()).extracting(h -> h.getAction() + ":" + h.getResult())
        .containsExactly("Rollback:Succeeded", "Deploy:Failed", "Deploy:Succeeded");
    BackupRecord backup = stack.status.getBackups().get(0);
    assertThat(stack.status.getHistory().get(0).getBackup()).isEqualTo(backup.getName());
    assertThat(stack.status.getHistory().get(0).getRestore()).isEqualTo(Result.Succeeded);
    assertThat(stack.status.getHistory().get(1).getBackup()).isEqualTo(backup.getName());
    assertThat(backup.getCommit()).isEqualTo(stack.commit("v1"));

    assertThat(stack.sql("SELECT id, name FROM items ORDER BY id")).isEqualTo(v1Rows);
    assertThat(stack.sql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'items'"))
        .isEqualTo(v1Columns).isEqualTo("id,name");
    assertThat(stack.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit'")).isEqualTo("0");
    assertThat(stack.containerId("db")).as("the database container itself stayed").isEqualTo(dbContainer);

    Path file = BackupFiles.file(tmp.resolve("state").resolve("backups"), backup.getName());
    assertThat(Files.size(file)).isEqualTo(backup.getSize());
    assertThat(BackupFiles.sha256(file)).isEqualTo(backup.getSha256());
    assertThat(BackupFiles.verify(file, backup.getSha256())).isPositive();
    assertThat(stack.status.getHistory()).noneMatch(h -> h.getAction() == ActionKind.Restore);
  }
}
