package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;

/**
 * What taking or restoring a backup did.
 *
 * @param ok whether it succeeded
 * @param message the failure for people (one sentence with the reason), null on success
 * @param size bytes of the compressed file written (backups only)
 * @param sha256 hex SHA-256 of the compressed file written (backups only)
 * @param drill what the restore drill's integrity check found, null when no drill ran
 * @param engineFault when it failed for the engine's or host's sake before the command could do
 *     its work (daemon unreachable, container gone, disk full), the reason it is retried under;
 *     null when the command itself failed, which is the backup's own failure
 */
public record BackupOutcome(boolean ok, String message, long size, String sha256, String drill, Reason engineFault) {

  public BackupOutcome {
    if (engineFault != null && !EngineRetry.isEngineFault(engineFault)) {
      throw new IllegalArgumentException(engineFault + " is not a fault of the engine or host");
    }
  }

  public static BackupOutcome written(long size, String sha256) {
    return new BackupOutcome(true, null, size, sha256, null, null);
  }

  /** A backup whose restore drill passed, finding {@code drill}. */
  public BackupOutcome drilled(String drill) {
    return new BackupOutcome(ok, message, size, sha256, drill, null);
  }

  public static BackupOutcome restored() {
    return new BackupOutcome(true, null, 0, null, null, null);
  }

  public static BackupOutcome failed(String message) {
    return new BackupOutcome(false, message, 0, null, null, null);
  }

  /** A failure that is the engine's or host's ({@code reason}), retried with backoff. */
  public static BackupOutcome engineFailed(Reason reason, String message) {
    return new BackupOutcome(false, message, 0, null, null, reason);
  }
}
