package dev.backstop.operator.api.v1alpha1;

/**
 * How much of the Docker host a release's stack may ask for, named like Kubernetes pod security
 * levels; each level refuses everything the one before it refuses, and more.
 */
public enum PolicyLevel {
  /** No policy checks: the stack may ask for anything the engine grants. */
  Privileged,
  /**
   * Refuses privileged containers, host network/PID/IPC/UTS namespaces, cap_add beyond Docker's
   * default capabilities, devices and mounts of the Docker socket.
   */
  Baseline,
  /**
   * Baseline, and also refuses bind mounts (named volumes only), any cap_add, and containers that
   * run as root (user unset or root, and the image's user empty or root).
   */
  Restricted;

  /** Whether this level refuses everything {@code other} refuses. */
  public boolean atLeastAsStrictAs(PolicyLevel other) {
    return ordinal() >= other.ordinal();
  }
}
