package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;
import java.util.List;

/**
 * What applying a commit did.
 *
 * @param ok whether `compose up` succeeded
 * @param reason why it failed (ComposeInvalid, ComposeFailed, SourceUnavailable, DockerUnavailable,
 *     BuildFailed, PullFailed)
 * @param message the failure for people
 * @param touched whether containers may have changed; an untouched failure needs no rollback
 * @param services the services the applied compose files define
 * @param note something a person should know about a success (e.g. a rollback had to rebuild), or
 *     null
 */
public record ApplyOutcome(
    boolean ok, Reason reason, String message, boolean touched, List<String> services, String note) {

  public ApplyOutcome(boolean ok, Reason reason, String message, boolean touched, List<String> services) {
    this(ok, reason, message, touched, services, null);
  }

  public static ApplyOutcome success(List<String> services) {
    return new ApplyOutcome(true, null, null, true, services);
  }

  /** A success with something worth saying, recorded in the operation's reason. */
  public static ApplyOutcome success(List<String> services, String note) {
    return new ApplyOutcome(true, null, null, true, services, note);
  }

  public static ApplyOutcome untouched(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, false, List.of());
  }

  public static ApplyOutcome failed(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, true, List.of());
  }
}
