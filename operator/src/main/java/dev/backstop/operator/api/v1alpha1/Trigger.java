package dev.backstop.operator.api.v1alpha1;

/** What started a deploy or rollback. */
public enum Trigger {
  /** spec.source.ref resolved to a new commit. */
  SpecChange,
  /** A deploy did not pass its checks within the progress deadline, or a check tripped. */
  VerificationFailed,
  /** `compose up` of a new commit failed part-way. */
  ApplyFailed,
  /** A healthy release tripped a check. */
  HealthCheck,
  /** The backstop.dev/rollback annotation or `backstop rollback`. */
  Manual,
  /** The backstop.dev/emergency-rollback annotation or `backstop rollback --emergency`. */
  Emergency,
  /** The backstop.dev/retry annotation lifted a quarantine. */
  Retry,
  /** A Secret, ConfigMap or literal of spec.compose.env/envFrom changed a stack variable. */
  EnvChange,
  /** Containers drifted from the running commit and spec.compose.selfHeal re-applied it. */
  Drift
}
