package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.backup.BackupFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup files on a real disk: a dump interrupted by a kill is taken again under its name and no
 * partial file ever looks complete; retention deletes exactly the files nothing points at.
 */
class BackupRetentionIT {

  @TempDir Path tmp;
  private PgStack stack;
  private Path storage;

  @BeforeEach
  void setUp() throws Exception {
    stack = new PgStack(tmp);
    stack.release.getSpec().getBackup().setRetention(2);
    storage = tmp.resolve("state").resolve("backups");
  }

  @AfterEach
  void tearDown() throws Exception {
    stack.close();
  }

  @Test
  void killedBackupIsRetakenThenRetentionDeletesOnlyUnreferencedFiles() throws Exception {
    String v1 = stack.commit("v1");
    String v3 = stack.commit("v3");
    deployed("v1", v1);

    // The process records BackingUp and dies mid-dump, leaving a half-written temporary file.
    stack.release.getSpec().getSource().setRef("v3");
    stack.specChanged();
    stack.killAfterRecording = s -> s.getPhase() == Phase.BackingUp;
    assertThatThrownBy(stack::reconcileOnce).isInstanceOf(PgStack.Killed.class);
    String beforeV3 = stack.status.getOperation().getBackup();
    Path file = BackupFiles.file(storage, beforeV3);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.createDirectories(storage);
    Files.write(partial, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
    assertThat(file).doesNotExist();

    stack.restart();
    deployed("v3", v3);
    assertThat(stack.status.getBackups()).extracting(BackupRecord::getName).containsExactly(beforeV3);
    assertThat(partial).doesNotExist();
    assertThat(BackupFiles.verify(file, stack.status.getBackups().get(0).getSha256())).isPositive();
    assertThat(stack.status.getHistory().get(0).getBackup()).isEqualTo(beforeV3);

    deployed("v1", v1);
    String beforeV1 = stack.status.getBackups().get(0).getName();
    assertThat(stack.status.getHistory()).hasSize(3);

    // Requested backups until history (20 entries) forgets the two deploys, one at a time.
    for (int i = 1; i <= 18; i++) {
      backupNow("r" + i);
    }
    assertThat(stack.status.getBackups()).hasSize(20);
    assertThat(filesOnDisk()).as("beyond retention 2, but history points at every one").hasSize(20)
        .contains(beforeV3, beforeV1);

    backupNow("r19");
    assertThat(names()).doesNotContain(beforeV3).contains(beforeV1).hasSize(20);
    assertThat(file).as("no history entry or last-known-good points at it any more").doesNotExist();
    assertThat(filesOnDisk()).containsExactlyInAnyOrderElementsOf(names());

    backupNow("r20");
    assertThat(names()).doesNotContain(beforeV1).hasSize(20);
    assertThat(filesOnDisk()).containsExactlyInAnyOrderElementsOf(names());
    assertThat(stack.status.getLastKnownGood().getBackup()).isEqualTo(names().get(0));
    assertThat(stack.status.getHistory()).allSatisfy(h -> assertThat(names()).contains(h.getBackup()));
  }

  private void deployed(String ref, String commit) {
    stack.release.getSpec().getSource().setRef(ref);
    stack.specChanged();
    stack.reconcileUntil(Duration.ofSeconds(60), () -> stack.status != null && stack.status.getPhase() == Phase.Healthy
        && stack.status.getCurrent() != null && commit.equals(stack.status.getCurrent().getCommit()));
  }

  private void backupNow(String request) {
    int before = stack.status.getHistory().size() < 20 ? stack.status.getHistory().size() : -1;
    stack.requests.put(StagingRelease.BACKUP_ANNOTATION, request);
    stack.reconcileUntil(Duration.ofSeconds(20), () -> stack.status.getOperation() == null
        && request.equals(stack.status.getHandledRequests().get(StagingRelease.BACKUP_ANNOTATION)));
    assertThat(stack.status.getHistory().get(0).getReason()).isEqualTo("backup requested");
    if (before >= 0) {
      assertThat(stack.status.getHistory()).hasSize(before + 1);
    }
  }

  private List<String> names() {
    return stack.status.getBackups().stream().map(BackupRecord::getName).toList();
  }

  /** Complete backup files on disk, by backup name; anything else (a .partial) fails the test. */
  private List<String> filesOnDisk() throws Exception {
    try (Stream<Path> files = Files.list(storage)) {
      List<String> all = files.map(p -> p.getFileName().toString()).toList();
      assertThat(all).allMatch(n -> n.endsWith(BackupFiles.SUFFIX), "only complete .gz files");
      return all.stream().map(n -> n.substring(0, n.length() - BackupFiles.SUFFIX.length())).toList();
    }
  }
}
