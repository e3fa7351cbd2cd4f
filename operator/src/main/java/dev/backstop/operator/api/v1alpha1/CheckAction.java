package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a tripped check does: the runbook's decision matrix. */
public enum CheckAction {
  /** Roll the release back to last-known-good (when spec.rollback.automatic). */
  @JsonProperty("rollback")
  ROLLBACK,
  /** Mark the release Degraded and emit a warning event; nothing is rolled back. */
  @JsonProperty("alert")
  ALERT
}
