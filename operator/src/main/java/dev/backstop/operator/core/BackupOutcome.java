package dev.backstop.operator.core;

/**
 * What taking or restoring a backup did.
 *
 * @param ok whether it succeeded
 * @param message the failure for people (one sentence with the reason), null on success
 * @param size bytes of the compressed file written (backups only)
 * @param sha256 hex SHA-256 of the compressed file written (backups only)
 * @param drill what the restore drill's integrity check found, null when no drill ran
 */
public record BackupOutcome(boolean ok, String message, long size, String sha256, String drill) {

  public static BackupOutcome written(long size, String sha256) {
    return new BackupOutcome(true, null, size, sha256, null);
  }

  /** A backup whose restore drill passed, finding {@code drill}. */
  public BackupOutcome drilled(String drill) {
    return new BackupOutcome(ok, message, size, sha256, drill);
  }

  public static BackupOutcome restored() {
    return new BackupOutcome(true, null, 0, null, null);
  }

  public static BackupOutcome failed(String message) {
    return new BackupOutcome(false, message, 0, null, null);
  }
}
