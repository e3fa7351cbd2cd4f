package dev.backstop.operator.backup;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.BackupSettings;
import java.nio.file.Path;
import java.time.Duration;

/** Dumps a compose service's database into a backup store and restores it from one. */
public interface DatabaseBackups {

  /**
   * Where a command runs: the running container of {@code service} in compose project {@code project}.
   *
   * @param dockerHost how to reach the engine; null = the local one
   * @param timeout how long one dump, restore or drill may run before it is stopped
   * @param password spec.backup.passwordSecretRef's value, given to every exec as
   *     {@link BackupSettings#PASSWORD_VARIABLE}; null for none
   */
  record Target(String project, String service, DockerEndpoint dockerHost, Duration timeout, String password) {
    public Target {
      dockerHost = dockerHost == null ? DockerEndpoint.LOCAL : dockerHost;
      timeout = timeout == null ? BackupSettings.DEFAULT_TIMEOUT : timeout;
    }

    /** A target without a password from a Secret. */
    public Target(String project, String service, DockerEndpoint dockerHost, Duration timeout) {
      this(project, service, dockerHost, timeout, null);
    }

    // Records print every component; the password must not reach a log that way.
    @Override
    public String toString() {
      return "Target[project=" + project + ", service=" + service + ", dockerHost=" + dockerHost + ", timeout="
          + timeout + ", password=" + (password != null) + "]";
    }

    /** A target with the default spec.backup.timeout. */
    public Target(String project, String service, DockerEndpoint dockerHost) {
      this(project, service, dockerHost, null);
    }
  }

  /**
   * One backup: where it is stored, its name there, and the key it is (to be) encrypted with.
   *
   * @param key null for a backup stored unencrypted
   * @param compression how a dump is compressed; a restore reads whichever the backup names
   */
  record Copy(BackupStore store, String name, BackupKey key, Compression compression) {
    public Copy {
      compression = compression == null ? Compression.DEFAULT : compression;
    }

    /** A copy compressed the default way. */
    public Copy(BackupStore store, String name, BackupKey key) {
      this(store, name, key, null);
    }

    /** The unencrypted backup file {@code <dir>/<name>.gz}. */
    public static Copy file(Path file) {
      String name = file.getFileName().toString();
      if (!name.endsWith(BackupFiles.SUFFIX)) {
        throw new IllegalArgumentException(file + " is not named *" + BackupFiles.SUFFIX);
      }
      return new Copy(new LocalDirStore(file.getParent()), name.substring(0, name.length() - BackupFiles.SUFFIX.length()),
          null);
    }

    String where() {
      return store.describe(name);
    }
  }

  /**
   * Runs {@code command} in the target and streams its stdout, compressed (and encrypted
   * with the copy's key), into the copy's store, where it appears only once complete.
   */
  BackupOutcome dump(Target target, String command, Copy copy);

  /**
   * Checks the copy against {@code sha256} (and its key), then streams it, decrypted and
   * decompressed, into the stdin of {@code command} in the target.
   */
  BackupOutcome restore(Target target, String command, Copy copy, String sha256);

  /**
   * A restore drill: restores the copy (checked against {@code sha256}) with
   * {@code restoreCommand} into a throwaway container of the target's own image, without a
   * network, runs {@code verifyCommand} in it, and removes it. On success {@link BackupOutcome#drill()}
   * holds what the check printed.
   */
  default BackupOutcome drill(Target target, String restoreCommand, String verifyCommand, Copy copy, String sha256) {
    return BackupOutcome.failed("this backup backend cannot run restore drills");
  }

  /** {@link #dump(Target, String, Copy)} into an unencrypted file {@code <dir>/<name>.gz}. */
  default BackupOutcome dump(Target target, String command, Path file) {
    return dump(target, command, Copy.file(file));
  }

  /** {@link #restore(Target, String, Copy, String)} from an unencrypted file. */
  default BackupOutcome restore(Target target, String command, Path file, String sha256) {
    return restore(target, command, Copy.file(file), sha256);
  }

  /** {@link #drill(Target, String, String, Copy, String)} of an unencrypted file. */
  default BackupOutcome drill(Target target, String restoreCommand, String verifyCommand, Path file, String sha256) {
    return drill(target, restoreCommand, verifyCommand, Copy.file(file), sha256);
  }
}
