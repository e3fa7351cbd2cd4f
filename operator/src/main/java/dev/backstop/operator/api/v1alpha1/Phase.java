package dev.backstop.operator.api.v1alpha1;

/** Lifecycle phase of a release. */
public enum Phase {
  /** Nothing applied yet. */
  Pending,
  /** Taking the database backup that precedes a deploy. */
  BackingUp,
  /** `compose up` of the desired commit is running. */
  Deploying,
  /** Applied; waiting for every check to pass within the progress deadline. */
  Verifying,
  /** The desired commit runs and passes its checks. */
  Healthy,
  /** Running the desired commit, but checks fail and nothing is rolled back. */
  Degraded,
  /** Moving the stack back to last-known-good. */
  RollingBack,
  /** Back on last-known-good; the failed commit is quarantined. */
  RolledBack,
  /** Some services were rolled back to another commit than the rest (a gradual rollback). */
  PartiallyRolledBack,
  /** A deploy or rollback failed and there is nothing safe to go back to. */
  Failed,
  /** spec.suspend is true: observing only. */
  Suspended,
  /** Restoring a named database backup (spec.backup.restoreFrom). */
  Restoring
}
