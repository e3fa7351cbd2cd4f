package dev.backstop.operator.health;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ReleaseSettings.Check;
import java.time.Duration;
import java.util.List;

/** The I/O behind the checks; each call returns within the check's timeout and never throws. */
public interface Probes {

  /** Sends an http check's request. */
  HttpSample http(Check check);

  /** Runs a command in a container; see {@link ExecOutcome}. */
  ExecOutcome exec(DockerEndpoint dockerHost, String containerId, List<String> command, Duration timeout);

  /** Evaluates an instant PromQL query to one number. */
  QueryOutcome query(String prometheusUrl, String query, Duration timeout);

  /**
   * What a command in a container did.
   *
   * @param exitCode the exit code, or null when it did not finish (timeout, engine unreachable)
   * @param output the tail of its output, or what went wrong
   * @param unavailable true when the engine could not be asked: nobody knows how the app is
   */
  record ExecOutcome(Integer exitCode, String output, boolean unavailable) {}

  /**
   * What a PromQL query returned.
   *
   * @param value the number (first series of a vector, or a scalar); null without one
   * @param kind OK, NO_DATA (an empty vector), REJECTED (the server refused the query: the check is
   *     broken), UNAVAILABLE (the server could not be asked)
   * @param message for people
   */
  record QueryOutcome(Double value, Kind kind, String message) {

    /** How a query went. */
    public enum Kind {
      OK,
      NO_DATA,
      REJECTED,
      UNAVAILABLE
    }
  }
}
