package dev.backstop.operator.api.v1alpha1;

/** CamelCase reasons for conditions and quarantines. */
public enum Reason {
  /** The desired commit runs and passes every check. */
  Succeeded,
  /** A deploy or rollback is in flight. */
  Progressing,
  /** The spec is invalid. */
  InvalidSpec,
  /** The manifest could not be read as a StagingRelease. */
  InvalidManifest,
  /** spec.source.ref names no branch, tag or commit in the repository. */
  RefNotFound,
  /** The repository cannot be cloned or fetched. */
  SourceUnavailable,
  /** The compose files are missing or invalid at the desired commit. */
  ComposeInvalid,
  /** `docker compose up` failed. */
  ComposeFailed,
  /** The Docker engine cannot be reached. */
  DockerUnavailable,
  /** A check tripped. */
  HealthCheckFailed,
  /** The deploy did not pass its checks within health.progressDeadline. */
  ProgressDeadlineExceeded,
  /** The stack was moved back to last-known-good. */
  RolledBack,
  /** Some services run another commit than the rest of the release, after a gradual rollback. */
  PartiallyRolledBack,
  /** The desired commit failed before and is quarantined. */
  CommitQuarantined,
  /** A rollback did not bring the last-known-good stack back to health. */
  RollbackFailed,
  /** A deploy failed and there is no last-known-good commit to go back to. */
  NoLastKnownGood,
  /** spec.suspend is true. */
  Suspended,
  /** The checks have not reported yet. */
  AwaitingChecks,
  /** A person asked for a rollback of this commit. */
  ManualRollback,
  /** A person asked for an emergency rollback of this commit. */
  EmergencyRollback,
  /** Nothing has been applied yet. */
  NotDeployed,
  /** `docker compose build` of the desired commit failed; the running stack was not touched. */
  BuildFailed,
  /** Pulling an image of the desired commit failed; the running stack was not touched. */
  PullFailed,
  /** The database backup before a deploy failed, so the deploy did not happen. */
  BackupFailed,
  /** Restoring a database backup failed; nothing is retried on data without a person. */
  RestoreFailed,
  /** A Secret that spec names does not exist. */
  SecretNotFound,
  /** A Secret that spec names lacks the keys Backstop needs. */
  SecretInvalid,
  /** Another release already runs this compose project on the same Docker host. */
  DuplicateProject,
  /** A health check's definition is broken (invalid field, rejected query): it is not acted on. */
  CheckInvalid,
  /**
   * The stack asks for more than its compose policy allows (or the release asks for a looser
   * policy than the operator's ceiling); nothing was started.
   */
  PolicyViolation,

  /** spec.source.url names a source this operator refuses (a local path in cluster mode). */
  SourceNotAllowed,

  /** The Docker engine has no free address pool for a new network; retried, never quarantined. */
  AddressPoolsExhausted,
  /** The Docker host's disk is full; retried, never quarantined. */
  DiskFull,
  /** A published port is held by a process outside the project; retried, never quarantined. */
  PortConflict,
  /** The image registry cannot be reached for a pull; retried, never quarantined. */
  RegistryUnavailable,
  /** Containers of the project differ from what the running commit renders. */
  Drifted
}
