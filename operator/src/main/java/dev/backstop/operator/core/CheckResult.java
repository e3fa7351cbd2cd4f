package dev.backstop.operator.core;

import java.util.List;

/**
 * What one probe of one check found.
 *
 * @param check name of the check
 * @param outcome pass, fail, or pending (not decided yet, e.g. a container still starting)
 * @param value the measured value for people, e.g. "1/2 services healthy"
 * @param message what was found, for people
 * @param failingServices compose services this probe found failing, for rollback reports
 */
public record CheckResult(
    String check, Outcome outcome, String value, String message, List<String> failingServices) {

  /** Result of a probe. */
  public enum Outcome {
    PASS,
    FAIL,
    PENDING
  }

  public CheckResult {
    failingServices = failingServices == null ? List.of() : List.copyOf(failingServices);
  }
}
