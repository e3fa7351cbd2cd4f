package dev.backstop.operator.api.v1alpha1;

/** What an automatic rollback moves back: the whole release, or only the services that failed. */
public enum RollbackScope {
  /** Every service goes back to last-known-good (`compose up` of its checkout). */
  Release,
  /**
   * Only the services whose checks tripped go back, with their last-known-good definitions (`compose
   * up --no-deps` of those services); the others stay on the new commit.
   */
  Service
}
