package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Redactor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the status page's releases come from: a local daemon's state directory, or an operator's
 * informer cache, whose names are namespace/name.
 */
public interface StatusSource {

  /** Names of the releases to list, sorted. */
  List<String> names() throws IOException;

  /** Whether text from a URL has the form of a release name here; checked before any lookup. */
  boolean isName(String name);

  /** The releases' manifests by name, as one snapshot. */
  Map<String, StagingRelease> releases();

  /** The release's recorded status; empty when it has none yet. */
  Optional<StagingReleaseStatus> status(String name);

  /**
   * A cheap value that differs whenever the status may have changed (a file's identity and time,
   * an object's resourceVersion); null when the release has no status.
   */
  Object version(String name) throws IOException;

  /** What every answer about releases passes before it leaves the process. */
  Redactor redactor();
}
