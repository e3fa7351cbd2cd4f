package dev.backstop.operator.core;

import java.time.Instant;
import java.util.List;

/**
 * What one probe of one check found.
 *
 * @param check name of the check
 * @param outcome pass, fail, pending (not decided yet, e.g. a container still starting), or error
 *     (the check itself is broken: it neither counts nor resets, and is never acted on)
 * @param value the measured value for people, e.g. "1/2 services healthy"
 * @param message what was found, for people
 * @param failingServices compose services this probe found failing, for rollback reports
 * @param probedAt when the probe ran; a failure counts once per probe. Null for results computed
 *     at every reconcile (serviceHealth), whose failures count at most once per check interval.
 */
public record CheckResult(
    String check,
    Outcome outcome,
    String value,
    String message,
    List<String> failingServices,
    Instant probedAt) {

  /** Result of a probe. */
  public enum Outcome {
    PASS,
    FAIL,
    PENDING,
    ERROR
  }

  public CheckResult {
    failingServices = failingServices == null ? List.of() : List.copyOf(failingServices);
  }

  /** A result computed at reconcile time, without a probe time of its own. */
  public CheckResult(String check, Outcome outcome, String value, String message, List<String> failingServices) {
    this(check, outcome, value, message, failingServices, null);
  }

  /** The same result stamped with the time its probe ran. */
  public CheckResult at(Instant time) {
    return new CheckResult(check, outcome, value, message, failingServices, time);
  }
}
