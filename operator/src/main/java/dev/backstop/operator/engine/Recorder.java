package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;

/** Where a driver keeps a release's status and tells people what happened. */
public interface Recorder {

  /**
   * Makes the status durable (fsync + rename locally, accepted by the API server in a cluster)
   * before returning. The loop acts only after this returns, so a failure means no action.
   *
   * @throws RecordFailedException when the status may not be durable
   */
  void record(StagingReleaseStatus status) throws RecordFailedException;

  /** Called once per transition, never for an unchanged state. */
  void event(ReleaseEvent event);

  /** A status write that did not become durable; nothing was acted on after it. */
  final class RecordFailedException extends Exception {
    public RecordFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
