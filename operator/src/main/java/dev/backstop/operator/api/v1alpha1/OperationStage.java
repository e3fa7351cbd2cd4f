package dev.backstop.operator.api.v1alpha1;

/** Stage of an operation in flight. */
public enum OperationStage {
  /** The stack is being changed; on restart this step runs again (it is idempotent). */
  Applying,
  /** The stack was changed; checks decide the outcome. */
  Verifying,
  /** The database dump is being taken; on restart it is taken again under the same name. */
  BackingUp,
  /**
   * A backup is being restored into the database (a rollback whose stack is healthy again, or
   * spec.backup.restoreFrom). Never run again on restart: a restore that was cut off may have left
   * the database partly restored, so the operation fails and a person decides.
   */
  Restoring
}
