package dev.backstop.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Docker Compose stack kept on a git ref, with automatic rollback to last-known-good. */
@Group(StagingRelease.GROUP)
@Version(StagingRelease.VERSION)
@Kind("StagingRelease")
@Plural("stagingreleases")
@Singular("stagingrelease")
@ShortNames("sr")
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.source.ref", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Current", jsonPath = ".status.current.shortCommit", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last-Good", jsonPath = ".status.lastKnownGood.ref", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class StagingRelease extends CustomResource<StagingReleaseSpec, StagingReleaseStatus>
    implements Namespaced {

  public static final String GROUP = "backstop.dev";
  public static final String VERSION = "v1alpha1";

  /** Any new value asks for one rollback to last-known-good. */
  public static final String ROLLBACK_ANNOTATION = GROUP + "/rollback";

  /**
   * The ref or commit the next `backstop.dev/rollback` request goes to (one that passed
   * verification here); absent, it goes to last-known-good. Read with that request, not a request itself.
   */
  public static final String ROLLBACK_TO_ANNOTATION = GROUP + "/rollback-to";

  /** Any new value asks for one emergency rollback: no backup, no verification gate. */
  public static final String EMERGENCY_ROLLBACK_ANNOTATION = GROUP + "/emergency-rollback";

  /**
   * Any new value asks for one gradual rollback of the services it names ({@code api,web}, optionally
   * followed by {@code ;} and anything that makes the value new) to their last-known-good definitions.
   */
  public static final String ROLLBACK_SERVICES_ANNOTATION = GROUP + "/rollback-services";

  /** Any new value lifts the quarantine of the desired commit once. */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  /** Any new value asks for one database backup now (`backstop backup NAME`). */
  public static final String BACKUP_ANNOTATION = GROUP + "/backup";

  /**
   * Any new value asks for one fetch of the source now, whatever pollInterval says. A push webhook
   * sets it (any replica can; the leader acts on it); acknowledged in status.handledRequests.
   */
  public static final String FETCH_ANNOTATION = GROUP + "/fetch";

  /**
   * Every request annotation, in the order they are handled; both drivers read exactly these (the
   * local CLI writes requests of the same names).
   */
  public static final java.util.List<String> REQUEST_ANNOTATIONS = java.util.List.of(
      ROLLBACK_ANNOTATION, EMERGENCY_ROLLBACK_ANNOTATION, RETRY_ANNOTATION, BACKUP_ANNOTATION,
      ROLLBACK_SERVICES_ANNOTATION, FETCH_ANNOTATION);

  /** Annotations that qualify a request rather than make one; both drivers pass them on as read. */
  public static final java.util.List<String> REQUEST_PARAMETERS = java.util.List.of(ROLLBACK_TO_ANNOTATION);

  @Override
  protected StagingReleaseStatus initStatus() {
    return new StagingReleaseStatus();
  }
}
