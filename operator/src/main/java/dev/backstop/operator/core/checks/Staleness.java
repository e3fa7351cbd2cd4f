package dev.backstop.operator.core.checks;

import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A probe result is only as good as it is fresh: one older than its check's interval plus its
 * timeout (plus slack for a loaded host) means the probe has stopped answering, and a hung probe
 * must not keep its last PASS forever. Such a result counts as a failure.
 */
public final class Staleness {

  /** Room for scheduling delays on a busy host before a late probe counts as a silent one. */
  public static final Duration SLACK = Duration.ofSeconds(5);

  private Staleness() {}

  /** The oldest a result of {@code check} may be and still count as it is. */
  public static Duration maxAge(Check check) {
    return check.interval().plus(check.timeout()).plus(SLACK);
  }

  /**
   * {@code result}, or a failure when it is too old. The failure carries no probe time, so it
   * counts once per check interval for as long as the probe stays silent (toward consecutiveFailures).
   */
  public static CheckResult judge(Check check, CheckResult result, Instant now) {
    if (result == null || result.probedAt() == null) {
      return result;
    }
    Duration age = Duration.between(result.probedAt(), now);
    if (age.compareTo(maxAge(check)) <= 0) {
      return result;
    }
    return new CheckResult(result.check(), Outcome.FAIL, "no answer",
        "probe has not answered for " + age.toSeconds() + " s (the last answer was " + result.outcome()
            + "; interval " + check.interval().toSeconds() + " s, timeout " + check.timeout().toMillis() / 1000.0
            + " s)", List.of(), null);
  }
}
