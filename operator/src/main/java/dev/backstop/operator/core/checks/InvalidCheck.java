package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;

/**
 * A check whose definition cannot be used: reported with its problems, never probed and never
 * acted on, so a typo in one check does not roll anything back or stop the other checks.
 *
 * @param error every problem, each naming its field path, for people
 */
public record InvalidCheck(CheckBasics basics, CheckType type, String error) implements Check {}
