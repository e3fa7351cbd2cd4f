package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.notify.ReportStore;
import java.util.Map;
import java.util.Optional;

/**
 * Where the CLI's commands read releases and send requests: the local daemon's state directory
 * or the Kubernetes API. Each command has one implementation over this port.
 */
interface ReleaseSource {

  /** The recorded status of {@code name}, if the release exists and has one. */
  Optional<StagingReleaseStatus> find(String name);

  /** Every release's status by name (namespace/name when listing all namespaces). */
  Map<String, StagingReleaseStatus> all();

  /**
   * Asks for {@code annotation} (StagingRelease.REQUEST_ANNOTATIONS) with {@code value}, a value
   * never used before, and its {@code parameters} (StagingRelease.REQUEST_PARAMETERS) in the
   * same write; a rollback without backstop.dev/rollback-to goes to last-known-good.
   *
   * @return how it was delivered, for the person who asked
   */
  String request(String name, String annotation, String value, Map<String, String> parameters);

  /** Where {@code name}'s rollback reports are kept; the release must exist. */
  Reports reports(String name);

  /** A release (its name, namespace and uid) and the store of its rollback reports. */
  record Reports(StagingRelease release, ReportStore store) {}

  /** As {@link #request(String, String, String, Map)}, with no parameters. */
  default String request(String name, String annotation, String value) {
    return request(name, annotation, value, Map.of());
  }

  /**
   * {@code name}'s settings and status with how this user reaches its commits and containers (for
   * diff and logs); the release must exist.
   */
  Workload workload(String name) throws InvalidSpecException;

  /** Sets spec.suspend (local mode: the daemon's own suspension beside the manifest's). */
  void suspend(String name, boolean suspend);

  /** The error for a release that is not there, naming where it was looked for. */
  IllegalArgumentException noSuchRelease(String name);

  /** Where releases come from, for "No releases in ..." */
  String where();

  /** Problems to show below the status table (local manifests that do not load). */
  default java.util.List<String> problems() {
    return java.util.List.of();
  }
}
