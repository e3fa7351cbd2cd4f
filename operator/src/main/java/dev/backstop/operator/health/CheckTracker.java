package dev.backstop.operator.health;

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
 * once per check interval, so how often the reconciler happens to look does not change when a
 * check trips; one pass resets the count; a pending result neither counts nor resets.
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
    for (ReleaseSettings.Check check : settings.checks()) {
      CheckStatus before = find(previous, check.name());
      CheckResult result =
          results.stream().filter(r -> r.check().equals(check.name())).findFirst().orElse(null);
      next.add(update(before, result, check, settings.interval(), now));
    }
    return next;
  }

  /** Statuses with every count cleared: a new deploy starts with a clean slate. */
  public static List<CheckStatus> reset(ReleaseSettings settings) {
    List<CheckStatus> fresh = new ArrayList<>();
    for (ReleaseSettings.Check check : settings.checks()) {
      CheckStatus s = new CheckStatus();
      s.setName(check.name());
      s.setConsecutiveFailures(0);
      s.setTripped(false);
      fresh.add(s);
    }
    return fresh;
  }

  private static CheckStatus update(
      CheckStatus before, CheckResult result, ReleaseSettings.Check check, Duration interval, Instant now) {
    CheckStatus s = new CheckStatus();
    s.setName(check.name());
    int failures = before == null || before.getConsecutiveFailures() == null ? 0 : before.getConsecutiveFailures();
    String lastCounted = before == null ? null : before.getLastCountedFailureTime();
    if (result == null) {
      s.setConsecutiveFailures(failures);
      s.setTripped(failures >= check.consecutiveFailures());
      s.setMessage("not probed");
      s.setLastCountedFailureTime(lastCounted);
      return s;
    }
    if (result.outcome() == Outcome.PASS) {
      failures = 0;
      lastCounted = null;
    } else if (result.outcome() == Outcome.FAIL) {
      Instant last = Timestamps.parse(lastCounted);
      if (last == null || !now.isBefore(last.plus(interval))) {
        failures++;
        lastCounted = Timestamps.format(now);
      }
    }
    s.setPassing(result.outcome() == Outcome.PASS ? Boolean.TRUE : result.outcome() == Outcome.FAIL ? Boolean.FALSE : null);
    s.setConsecutiveFailures(failures);
    s.setTripped(failures >= check.consecutiveFailures());
    s.setLastValue(result.value());
    s.setMessage(result.message());
    s.setLastProbeTime(Timestamps.format(now));
    s.setLastCountedFailureTime(lastCounted);
    return s;
  }

  private static CheckStatus find(List<CheckStatus> statuses, String name) {
    if (statuses == null) {
      return null;
    }
    return statuses.stream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
  }
}
