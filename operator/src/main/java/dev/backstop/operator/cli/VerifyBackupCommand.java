package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.local.SavedSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop verify-backup NAME BACKUP`: checksum against status, and a full decompression. */
@Command(name = "verify-backup", description = "Check a backup file's SHA-256 against status and that it decompresses.")
final class VerifyBackupCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "BACKUP")
  String backup;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    StagingReleaseStatus s = state.status(name);
    BackupRecord record = s.getBackups().stream().filter(b -> b.getName().equals(backup)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("release " + name + " has no backup named " + backup
            + "; `backstop backups " + name + "` lists them"));
    Path releaseDir = state.store().releaseDir(name);
    Path storage = state.store().release(name).backups();
    var saved = SavedSpec.read(releaseDir);
    if (saved.isPresent() && saved.get().getBackup() != null) {
      try {
        storage = BackupFiles.storage(ReleaseSettings.from(name, saved.get()).backup(), releaseDir);
      } catch (InvalidSpecException e) {
        // The default directory is the best guess for an invalid spec.
      }
    }
    Path file = BackupFiles.file(storage, backup);
    try {
      long size = BackupFiles.verify(file, record.getSha256());
      spec.commandLine().getOut().println("ok: " + file + " matches SHA-256 " + record.getSha256()
          + " and decompresses to " + size + " bytes");
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: backup " + backup + " is damaged: " + e.getMessage());
      return 1;
    }
  }
}
