package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.BackupFormat;
import dev.backstop.operator.backup.BackupStore;
import dev.backstop.operator.backup.BackupStores;
import dev.backstop.operator.backup.LocalDirStore;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.local.SavedSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `backstop verify-backup NAME BACKUP [--restore]`: checksum against status, a full decompression,
 * and with --restore a drill into a throwaway container of the database service's image.
 */
@Command(name = "verify-backup", description = "Check a backup's SHA-256 against status and that it decompresses;"
    + " with --restore, restore it into a throwaway container (no network, removed afterwards) and run the"
    + " integrity check.")
final class VerifyBackupCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "BACKUP")
  String backup;

  @Option(names = "--restore", description = "Also restore it into a throwaway container and check what it holds.")
  boolean restore;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    StagingReleaseStatus s = state.status(name);
    BackupRecord record = s.getBackups().stream().filter(b -> b.getName().equals(backup)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("release " + name + " has no backup named " + backup
            + "; `backstop backups " + name + "` lists them"));
    Path releaseDir = state.store().releaseDir(name);
    var saved = SavedSpec.read(releaseDir);
    ReleaseSettings settings = null;
    if (saved.isPresent() && saved.get().getBackup() != null) {
      try {
        settings = ReleaseSettings.from(name, saved.get());
      } catch (InvalidSpecException e) {
        // The default directory is the best guess for an invalid spec.
        if (restore) {
          throw new IllegalArgumentException("release " + name + " has an invalid spec, so there is no restore"
              + " command to drill with: " + String.join("; ", e.problems()));
        }
      }
    }
    if (restore && saved.isPresent() && saved.get().getBackup() != null
        && saved.get().getBackup().getPasswordSecretRef() != null) {
      // This shell does not read the release's Secrets, and a drill without the password fails.
      throw new IllegalArgumentException("--restore of a release whose password is in"
          + " spec.backup.passwordSecretRef runs in the daemon or operator only (spec.backup.drill:"
          + " afterBackup), where the Secret is read");
    }
    boolean encrypted = settings != null && settings.backup().encryption() != null;
    if (encrypted && restore) {
      throw new IllegalArgumentException("--restore of an encrypted backup runs in the operator only"
          + " (spec.backup.drill: afterBackup), where its key is");
    }
    // S3 credentials from this shell's environment, as the AWS tools take them.
    try (BackupStore store = settings == null ? new LocalDirStore(state.store().release(name).backups())
        : new BackupStores(System::getenv).open(settings.backup(), releaseDir, null, null)) {
      if (encrypted) {
        String refused = BackupFormat.checksumRefusal(store, backup, record.getSha256());
        if (refused != null) {
          spec.commandLine().getErr().println("error: backup " + backup + " is damaged: " + refused);
          return 1;
        }
        spec.commandLine().getOut().println("ok: " + store.describe(backup) + " matches SHA-256 "
            + record.getSha256() + "; it is encrypted, so it is not decrypted here");
        return 0;
      }
      long size = BackupFormat.verify(store, backup, record.getSha256(), null);
      spec.commandLine().getOut().println("ok: " + store.describe(backup) + " matches SHA-256 " + record.getSha256()
          + " and decompresses to " + size + " bytes");
      spec.commandLine().getOut().flush();
      return restore ? drill(settings, store, record) : 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: backup " + backup + " is damaged: " + e.getMessage());
      return 1;
    }
  }

  private int drill(ReleaseSettings settings, BackupStore store, BackupRecord record) {
    if (settings == null || settings.backup() == null || settings.backup().restoreCommand() == null
        || settings.backup().verifyCommand() == null) {
      throw new IllegalArgumentException("--restore needs spec.backup with a preset, or with restoreCommand and"
          + " verifyCommand, in the release's last spec");
    }
    try (DockerHosts docker = new DockerHosts()) {
      // Local mode's key for the release, as `backstop verify` uses.
      DatabaseBackups.Target target = new DatabaseBackups.Target(settings.projectName(), settings.backup().service(),
          docker.endpoint("default/" + name, settings.dockerHost()), settings.backup().timeout());
      BackupOutcome outcome = new DockerDatabaseBackups(docker).drill(target, settings.backup().restoreCommand(),
          settings.backup().verifyCommand(), new DatabaseBackups.Copy(store, backup, null), record.getSha256());
      if (!outcome.ok()) {
        spec.commandLine().getErr().println("error: the restore drill of " + backup + " failed: " + outcome.message());
        return 1;
      }
      spec.commandLine().getOut().println("ok: restored into a throwaway " + settings.backup().service()
          + " container: " + outcome.drill());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
