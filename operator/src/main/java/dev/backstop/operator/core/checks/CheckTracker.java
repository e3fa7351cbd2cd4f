package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts consecutive failures per check and decides when a check trips. A failure counts at most
 * once per probe (and a result without a probe time at most once per check interval), so how often
 * the reconciler happens to look does not change when a check trips; one pass resets the count; a
 * pending or error result neither counts nor resets; a check whose definition is broken never
 * trips.
 *
 * <p>A check's status changes only with its outcome: state, verdict and count. A steady check keeps
 * the value, message and transition time it had, so a healthy release writes no status at all
 * however often it is probed (probe times and live values belong in logs and metrics).
 */
public final class CheckTracker {

  private CheckTracker() {}

  /** Returns the new check statuses after {@code results}; the inputs are not modified. */
  public static List<CheckStatus> record(
      List<CheckStatus> previous,
      List<CheckResult> results,
      ReleaseSettings settings,
      Instant now) {
    List<CheckStatus> next = new ArrayList<>();
    for (Check check : settings.checks()) {
      CheckStatus before = find(previous, check.name());
      CheckResult result =
          results.stream().filter(r -> r.check().equals(check.name())).findFirst().orElse(null);
      next.add(update(before, result, check, now));
    }
    return next;
  }

  /** Statuses with every count cleared: a new deploy starts with a clean slate. */
  public static List<CheckStatus> reset(ReleaseSettings settings) {
    List<CheckStatus> fresh = new ArrayList<>();
    for (Check check : settings.checks()) {
      CheckStatus s = new CheckStatus();
      s.setName(check.name());
      s.setConsecutiveFailures(0);
      s.setTripped(false);
      if (check instanceof InvalidCheck invalid) {
        s.setState(CheckState.Error);
        s.setMessage(invalid.error());
      } else {
        s.setState(CheckState.Pending);
      }
      fresh.add(s);
    }
    return fresh;
  }

  private static CheckStatus update(
      CheckStatus before, CheckResult fromProbe, Check check, Instant now) {
    CheckResult result = Staleness.judge(check, fromProbe, now);
    CheckStatus s = new CheckStatus();
    s.setName(check.name());
    int failures = before == null || before.getConsecutiveFailures() == null ? 0 : before.getConsecutiveFailures();
    String lastCounted = before == null ? null : before.getLastCountedFailureTime();
    if (check instanceof InvalidCheck invalid) {
      // A broken definition is reported, never counted: it must not roll anything back.
      s.setState(CheckState.Error);
      s.setConsecutiveFailures(0);
      s.setTripped(false);
      s.setMessage(invalid.error());
      return settle(before, s, now);
    }
    if (result == null) {
      s.setConsecutiveFailures(failures);
      s.setTripped(failures >= check.consecutiveFailures());
      s.setState(s.getTripped() ? CheckState.Tripped : CheckState.Pending);
      s.setMessage("not probed yet");
      s.setLastCountedFailureTime(lastCounted);
      s.setPassingSince(before == null ? null : before.getPassingSince());
      return settle(before, s, now);
    }
    Instant probed = result.probedAt() == null ? now : result.probedAt();
    switch (result.outcome()) {
      case PASS -> {
        failures = 0;
        lastCounted = null;
      }
      case FAIL -> {
        if (countsAsNewFailure(before, result, lastCounted, check.interval(), now)) {
          failures++;
          lastCounted = Timestamps.format(probed);
        }
      }
      default -> {
        // PENDING and ERROR neither count nor reset.
      }
    }
    boolean error = result.outcome() == Outcome.ERROR;
    s.setPassing(result.outcome() == Outcome.PASS ? Boolean.TRUE : result.outcome() == Outcome.FAIL ? Boolean.FALSE : null);
    s.setConsecutiveFailures(failures);
    s.setTripped(!error && failures >= check.consecutiveFailures());
    s.setState(state(result.outcome(), s.getTripped()));
    s.setLastValue(result.value());
    s.setMessage(result.message());
    s.setLastCountedFailureTime(lastCounted);
    s.setPassingSince(passingSince(before, result, probed));
    return settle(before, s, probed);
  }

  /**
   * Keeps what a steady check showed before: when state, verdict and count are those of {@code
   * before}, its value, message and transition time stay, so nothing in status moves; otherwise the
   * check entered a new state at {@code at} (or counted another failure) and shows the new values.
   */
  private static CheckStatus settle(CheckStatus before, CheckStatus s, Instant at) {
    if (before == null || before.getState() != s.getState()) {
      s.setLastTransitionTime(Timestamps.format(at));
      return s;
    }
    s.setLastTransitionTime(before.getLastTransitionTime() != null
        ? before.getLastTransitionTime() : Timestamps.format(at));
    if (java.util.Objects.equals(before.getPassing(), s.getPassing())
        && java.util.Objects.equals(before.getConsecutiveFailures(), s.getConsecutiveFailures())
        && java.util.Objects.equals(before.getTripped(), s.getTripped())) {
      s.setLastValue(before.getLastValue());
      s.setMessage(before.getMessage());
    }
    return s;
  }

  /**
   * A pass continues the unbroken run of passes it belongs to, or starts one; anything else (a
   * failure, and also pending or error, which say nothing about health) ends it. This is what
   * spec.health.stableFor waits on.
   */
  private static String passingSince(CheckStatus before, CheckResult result, Instant probed) {
    if (result.outcome() != Outcome.PASS) {
      return null;
    }
    String since = before == null ? null : before.getPassingSince();
    return since != null ? since : Timestamps.format(probed);
  }

  /**
   * A probed result counts once per probe, however often the reconciler looks at it; a result
   * computed at reconcile time (no probe time) counts at most once per check interval.
   */
  private static boolean countsAsNewFailure(
      CheckStatus before, CheckResult result, String lastCounted, Duration interval, Instant now) {
    if (result.probedAt() != null) {
      Instant last = Timestamps.parse(lastCounted);
      Instant probed = Timestamps.parse(Timestamps.format(result.probedAt()));
      return last == null || probed.isAfter(last);
    }
    Instant last = Timestamps.parse(lastCounted);
    return last == null || !now.isBefore(last.plus(interval));
  }

  private static CheckState state(Outcome outcome, boolean tripped) {
    if (outcome == Outcome.ERROR) {
      return CheckState.Error;
    }
    if (tripped) {
      return CheckState.Tripped;
    }
    return switch (outcome) {
      case PASS -> CheckState.Passing;
      case FAIL -> CheckState.Failing;
      default -> CheckState.Pending;
    };
  }

  private static CheckStatus find(List<CheckStatus> statuses, String name) {
    if (statuses == null) {
      return null;
    }
    return statuses.stream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
  }
}
