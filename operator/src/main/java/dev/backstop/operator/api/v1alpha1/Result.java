package dev.backstop.operator.api.v1alpha1;

/** Outcome of a deploy or rollback. */
public enum Result {
  InProgress,
  Succeeded,
  Failed,
  /** A request that could not be carried out: nothing was done, status.lastRequest says why. */
  Refused
}
