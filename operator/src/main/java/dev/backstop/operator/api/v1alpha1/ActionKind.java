package dev.backstop.operator.api.v1alpha1;

/** What Backstop did to the stack. */
public enum ActionKind {
  Deploy,
  Rollback,
  EmergencyRollback
}
