package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ReleaseEvent;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.backup.restoreFrom against a real PostgreSQL: the runbook's manual database rollback. */
class RestoreFromIT {

  private static final String ROWS = "SELECT id, name FROM items ORDER BY id";

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
  void restoresTheNamedBackupOnceAndRefusesUnknownOrDamagedBackupsWithoutTouchingData() throws Exception {
    stack.reconcileUntil(Duration.ofSeconds(60), () -> stack.status != null && stack.status.getCurrent() != null
        && stack.status.getOperation() == null && "1|apple\n2|pear\n3|plum".equals(rows()));

    String first = backupNow("a", 1);
    String firstRows = rows();
    stack.sql("DELETE FROM items WHERE id = 1; INSERT INTO items VALUES (5, 'kiwi')");
    String second = backupNow("b", 2);
    assertThat(rows()).isEqualTo("2|pear\n3|plum\n5|kiwi");
    stack.sql("UPDATE items SET name = 'changed'; CREATE TABLE junk (x int)");

    // 1. A known backup: exactly its rows again, recorded once.
    restoreFrom(first);
    stack.reconcileUntil(Duration.ofSeconds(30),
        () -> restoreEntries() == 1 && last().getResult() != Result.InProgress);
    assertThat(last().getResult()).as("restore: %s", last().getReason()).isEqualTo(Result.Succeeded);
    assertThat(last().getBackup()).isEqualTo(first);
    assertThat(rows()).isEqualTo(firstRows);
    assertThat(stack.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'junk'")).isEqualTo("0");

    // 2. The same value again does nothing: a row written after the restore survives.
    stack.sql("INSERT INTO items VALUES (9, 'after the restore')");
    for (int i = 0; i < 3; i++) {
      stack.reconcileOnce();
    }
    assertThat(restoreEntries()).isEqualTo(1);
    assertThat(rows()).isEqualTo(firstRows + "\n9|after the restore");
    String untouched = rows();

    // 3. A name no backup has: a clear reason, nothing touched.
    restoreFrom("20200101-000000-nothere");
    stack.reconcileUntil(Duration.ofSeconds(20), () -> restoreEntries() == 2);
    assertThat(stalled().getReason()).isEqualTo(Reason.RestoreFailed);
    assertThat(stalled().getMessage()).contains("20200101-000000-nothere", "no backup of that name", "not touched",
        first, second);
    assertThat(rows()).isEqualTo(untouched);

    // 4. A file changed on disk: refused before anything reaches the database.
    Path file = BackupFiles.file(tmp.resolve("state").resolve("backups"), second);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x42, 0x42, 0x42}), ch.size() / 2);
    }
    restoreFrom(second);
    stack.reconcileUntil(Duration.ofSeconds(20),
        () -> restoreEntries() == 3 && last().getResult() != Result.InProgress);
    assertThat(last().getResult()).isEqualTo(Result.Failed);
    assertThat(stalled().getReason()).isEqualTo(Reason.RestoreFailed);
    assertThat(stalled().getMessage()).contains(second, "SHA-256", "not restored");
    assertThat(rows()).isEqualTo(untouched);

    assertThat(stack.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.RestoreSucceeded).hasSize(1);
    assertThat(stack.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.RestoreFailed).hasSize(2);
  }

  /** Takes a backup through the request annotation and returns its name. */
  private String backupNow(String request, int expected) {
    stack.requests.put(StagingRelease.BACKUP_ANNOTATION, request);
    stack.reconcileUntil(Duration.ofSeconds(20),
        () -> stack.status.getBackups().size() == expected && stack.status.getOperation() == null);
    return stack.status.getBackups().get(0).getName();
  }

  private void restoreFrom(String name) {
    stack.release.getSpec().getBackup().setRestoreFrom(name);
    stack.specChanged();
  }

  private String rows() throws Exception {
    return stack.sql(ROWS);
  }

  private long restoreEntries() {
    return stack.status.getHistory().stream().filter(h -> h.getAction() == ActionKind.Restore).count();
  }

  private HistoryEntry last() {
    return stack.status.getHistory().get(0);
  }

  private Condition stalled() {
    Condition c = Conditions.find(stack.status.getConditions(), ConditionType.Stalled);
    assertThat(c).as("Stalled condition; history: %s", last().getReason()).isNotNull();
    return c;
  }
}
