package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;

/**
 * What applying a commit did.
 *
 * @param ok whether `compose up` succeeded
 * @param reason why it failed (ComposeInvalid, ComposeFailed, SourceUnavailable, DockerUnavailable,
 *     BuildFailed, PullFailed)
 * @param message the failure for people
 * @param touched whether containers may have changed; an untouched failure needs no rollback
 * @param note something a person should know about a success (e.g. a rollback had to rebuild), or
 *     null
 */
public record ApplyOutcome(boolean ok, Reason reason, String message, boolean touched, String note) {

  public static ApplyOutcome success() {
    return new ApplyOutcome(true, null, null, true, null);
  }

  /** A success with something worth saying, recorded in the operation's reason. */
  public static ApplyOutcome success(String note) {
    return new ApplyOutcome(true, null, null, true, note);
  }

  public static ApplyOutcome untouched(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, false, null);
  }

  public static ApplyOutcome failed(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, true, null);
  }
}
