package dev.backstop.operator.core;

/**
 * Something that happened to a release, worth telling a person once: a Kubernetes Event in the
 * cluster, a log line in local mode.
 */
public record ReleaseEvent(Type type, Kind reason, String message) {

  /** Event severity, as Kubernetes spells it. */
  public enum Type {
    Normal,
    Warning
  }

  /** Why the event was emitted (the Kubernetes Event reason). */
  public enum Kind {
    DeployStarted,
    Applied,
    DeploySucceeded,
    DeployFailed,
    HealthCheckFailed,
    Recovered,
    RollbackStarted,
    RollbackSucceeded,
    RollbackFailed,
    CommitQuarantined,
    Suspended,
    NotReady,
    ImagesRebuilt,
    BackupStarted,
    RestoreStarted,
    BackupTaken,
    BackupFailed,
    RestoreSucceeded,
    RestoreFailed,
    RequestRefused,
    PreDeployTagged,
    PreDeployTagFailed
  }
}
