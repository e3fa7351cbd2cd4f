package dev.backstop.operator.api.v1alpha1;

/** kstatus condition types. */
public enum ConditionType {
  /** Always present: True when the desired commit runs and passes its checks. */
  Ready,
  /** Present only while true: a deploy or rollback is in flight. */
  Reconciling,
  /** Present only while true: no progress without a person (fix the spec, pick another ref). */
  Stalled,
  /** Whether the running stack passes its checks. */
  Healthy,
  /** Present only while true: containers differ from what the running commit renders (status.drift). */
  Drifted
}
