package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;
import java.util.List;

/**
 * What applying a commit did.
 *
 * @param ok whether `compose up` succeeded
 * @param reason why it failed (ComposeInvalid, ComposeFailed, SourceUnavailable, DockerUnavailable)
 * @param message the failure for people
 * @param touched whether containers may have changed; an untouched failure needs no rollback
 * @param services the services the applied compose files define
 */
public record ApplyOutcome(
    boolean ok, Reason reason, String message, boolean touched, List<String> services) {

  public static ApplyOutcome success(List<String> services) {
    return new ApplyOutcome(true, null, null, true, services);
  }

  public static ApplyOutcome untouched(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, false, List.of());
  }

  public static ApplyOutcome failed(Reason reason, String message) {
    return new ApplyOutcome(false, reason, message, true, List.of());
  }
}
