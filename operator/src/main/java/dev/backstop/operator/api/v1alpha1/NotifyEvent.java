package dev.backstop.operator.api.v1alpha1;

/** The events a webhook can receive: the deploy and rollback transitions of the release. */
public enum NotifyEvent {
  DeployStarted,
  DeploySucceeded,
  DeployFailed,
  RollbackStarted,
  RollbackSucceeded,
  RollbackFailed
}
