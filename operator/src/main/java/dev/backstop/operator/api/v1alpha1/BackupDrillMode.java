package dev.backstop.operator.api.v1alpha1;

/** When Backstop proves a backup restores (spec.backup.drill); lower case as written in YAML. */
public enum BackupDrillMode {
  /** Only on request: `backstop verify-backup NAME BACKUP --restore`. */
  never,
  /** Restore every new backup into a throwaway container and check it before it counts as taken. */
  afterBackup
}
