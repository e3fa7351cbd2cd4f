package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.core.checks.Check;
import java.time.Duration;
import java.time.Instant;
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

  /**
   * Whether a deploy passed verification with spec.health.stableFor: as {@link #verified} and, in
   * addition, every gating check has passed without a break for at least {@code stableFor} (exactly
   * {@code stableFor} is enough).
   */
  public static boolean verified(
      List<CheckStatus> statuses, ReleaseSettings settings, Duration stableFor, Instant now) {
    if (!verified(statuses, settings)) {
      return false;
    }
    if (stableFor.isZero()) {
      // Statuses written before passingSince existed must still verify as they did.
      return true;
    }
    for (CheckStatus c : statuses) {
      if (gates(c, settings)) {
        Instant since = Timestamps.parse(c.getPassingSince());
        if (since == null || since.plus(stableFor).isAfter(now)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The gating checks that pass but not yet for {@code stableFor}, with how long they have, for a
   * progress deadline message; empty when none.
   */
  public static String describeUnstable(
      List<CheckStatus> statuses, ReleaseSettings settings, Duration stableFor, Instant now) {
    if (stableFor.isZero()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (CheckStatus c : statuses) {
      Instant since = Timestamps.parse(c.getPassingSince());
      if (gates(c, settings) && since != null && since.plus(stableFor).isAfter(now)) {
        parts.add("check " + c.getName() + " passing for only " + Durations.format(Duration.between(since, now))
            + " of stableFor " + Durations.format(stableFor));
      }
    }
    return String.join("; ", parts);
  }

  /** Whether a check whose trip rolls back has tripped. */
  public static boolean rollbackTripped(List<CheckStatus> statuses, ReleaseSettings settings) {
    return statuses.stream().anyMatch(c -> gates(c, settings) && Boolean.TRUE.equals(c.getTripped()));
  }

  /** The names of the tripped rollback-action checks, in spec order: what history names as the trip. */
  public static List<String> rollbackTrips(List<CheckStatus> statuses, ReleaseSettings settings) {
    return statuses.stream()
        .filter(c -> gates(c, settings) && Boolean.TRUE.equals(c.getTripped()))
        .map(CheckStatus::getName)
        .toList();
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
    Check check = settings.check(c.getName());
    return check != null && check.rollsBack() && c.getState() != CheckState.Error;
  }
}
