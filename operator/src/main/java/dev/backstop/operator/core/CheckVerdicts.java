package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Observation.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * What the recorded check states mean for a release, by each check's action: only checks whose
 * action is rollback gate a deploy or trip a rollback; alert checks only degrade; checks in error
 * (broken definitions) are reported and never acted on.
 */
public final class CheckVerdicts {

  private CheckVerdicts() {}

  /**
   * Whether a deploy passed verification: every usable rollback-action check passes. With no such
   * check (all alert-only or broken) there is nothing to wait for.
   */
  public static boolean verified(List<CheckStatus> statuses, ReleaseSettings settings) {
    if (statuses.isEmpty()) {
      return false;
    }
    for (CheckStatus c : statuses) {
      if (gates(c, settings) && !Boolean.TRUE.equals(c.getPassing())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a check whose trip rolls back has tripped. */
  public static boolean rollbackTripped(List<CheckStatus> statuses, ReleaseSettings settings) {
    return statuses.stream().anyMatch(c -> gates(c, settings) && Boolean.TRUE.equals(c.getTripped()));
  }

  /** The tripped rollback-action checks, named with their count and message, for history and reports. */
  public static String describeRollbackTrips(List<CheckStatus> statuses, ReleaseSettings settings) {
    List<String> parts = new ArrayList<>();
    for (CheckStatus c : statuses) {
      if (gates(c, settings) && Boolean.TRUE.equals(c.getTripped())) {
        parts.add("check " + c.getName() + " failed " + c.getConsecutiveFailures() + "x: " + c.getMessage());
      }
    }
    return String.join("; ", parts);
  }

  /** A problem naming every check whose definition is broken, or null when none is. */
  public static Problem brokenChecks(List<CheckStatus> statuses) {
    List<String> parts = new ArrayList<>();
    for (CheckStatus c : statuses) {
      if (c.getState() == CheckState.Error) {
        parts.add("check " + c.getName() + " is not evaluated: " + c.getMessage());
      }
    }
    return parts.isEmpty() ? null : new Problem(Reason.CheckInvalid, String.join("; ", parts));
  }

  private static boolean gates(CheckStatus c, ReleaseSettings settings) {
    ReleaseSettings.Check check = settings.check(c.getName());
    return check != null && check.rollsBack() && c.getState() != CheckState.Error;
  }
}
