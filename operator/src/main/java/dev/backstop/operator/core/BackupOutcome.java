package dev.backstop.operator.core;

/**
 * What taking or restoring a backup did.
 *
 * @param ok whether it succeeded
 * @param message the failure for people (one sentence with the reason), null on success
 * @param size bytes of the compressed file written (backups only)
 * @param sha256 hex SHA-256 of the compressed file written (backups only)
 */
public record BackupOutcome(boolean ok, String message, long size, String sha256) {

  public static BackupOutcome written(long size, String sha256) {
    return new BackupOutcome(true, null, size, sha256);
  }

  public static BackupOutcome restored() {
    return new BackupOutcome(true, null, 0, null);
  }

  public static BackupOutcome failed(String message) {
    return new BackupOutcome(false, message, 0, null);
  }
}
