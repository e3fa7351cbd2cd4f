package dev.backstop.operator.api.v1alpha1;

/** What Backstop did to the stack. */
public enum ActionKind {
  Deploy,
  Rollback,
  EmergencyRollback,
  /** A database backup on request (`backstop backup NAME`). */
  Backup,
  /** A restore of a named backup (spec.backup.restoreFrom). */
  Restore
}
