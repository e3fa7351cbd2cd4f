package dev.backstop.operator.core.checks;

/**
 * What a PromQL query returned.
 *
 * @param value the number (first series of a vector, or a scalar); null without one
 * @param kind OK, NO_DATA (an empty vector), REJECTED (the server refused the query: the check is
 *     broken), UNAVAILABLE (the server could not be asked)
 * @param message for people
 */
public record QueryOutcome(Double value, Kind kind, String message) {

  /** How a query went. */
  public enum Kind {
    OK,
    NO_DATA,
    REJECTED,
    UNAVAILABLE
  }
}
