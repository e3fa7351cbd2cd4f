package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Revision;

/** The one step a reconcile takes on the stack. */
public sealed interface Action {

  /** Change nothing. */
  record None() implements Action {}

  /**
   * Apply {@code target}'s compose files: check out the commit, validate, then `compose up`.
   *
   * @param downFirst `compose down --remove-orphans` before `up` (emergency rollback)
   */
  record Apply(ActionKind kind, Revision target, boolean downFirst) implements Action {}

  None NONE = new None();
}
