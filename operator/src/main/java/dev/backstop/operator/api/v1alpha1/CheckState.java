package dev.backstop.operator.api.v1alpha1;

/** State of one health check as status.checks[] shows it. */
public enum CheckState {
  /** Not probed yet, or the probe could not decide (e.g. a container still starting). */
  Pending,
  /** The last probe passed. */
  Passing,
  /** The last probe failed, fewer times in a row than the check's consecutiveFailures. */
  Failing,
  /** Failed consecutiveFailures times in a row: the check's action applies. */
  Tripped,
  /** The check itself is broken (invalid definition, query the server rejects): never acted on. */
  Error
}
