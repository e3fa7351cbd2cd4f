package dev.backstop.operator.api.v1alpha1;

/** What happens to the running stack when its StagingRelease is deleted. */
public enum DeletionPolicy {
  /** The stack keeps running; Backstop only stops watching it. */
  Retain,
  /** `docker compose down` removes the stack's containers (volumes are kept). */
  Down
}
