package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.ReleaseSettings;

/** The loop's eyes: what the source, the stack and the checks of a release look like now. */
public interface Observer {

  /**
   * Observes without changing anything; failures are part of the observation, never thrown.
   *
   * @param previous the last recorded status, or null
   */
  Observation observe(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus previous);
}
