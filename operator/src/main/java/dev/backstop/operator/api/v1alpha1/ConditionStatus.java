package dev.backstop.operator.api.v1alpha1;

/** Status of a condition, as Kubernetes spells it. */
public enum ConditionStatus {
  True,
  False,
  Unknown
}
