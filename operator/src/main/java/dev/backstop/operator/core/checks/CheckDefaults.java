package dev.backstop.operator.core.checks;

import java.time.Duration;
import java.util.Set;

/**
 * What a check definition falls back on, and what it may refer to.
 *
 * @param interval spec.health.interval
 * @param httpChecks names of the release's http checks, which responseTime and errorRate may judge
 */
public record CheckDefaults(Duration interval, Set<String> httpChecks) {

  /** The timeout of a check that names none: its interval, but never more than this. */
  public static final Duration TIMEOUT_CAP = Duration.ofSeconds(10);

  /** The errorRate window when a check names none. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  public CheckDefaults {
    httpChecks = Set.copyOf(httpChecks);
  }

  /** The default timeout of a check running every {@code interval}. */
  static Duration timeoutFor(Duration interval) {
    return interval.compareTo(TIMEOUT_CAP) < 0 ? interval : TIMEOUT_CAP;
  }
}
