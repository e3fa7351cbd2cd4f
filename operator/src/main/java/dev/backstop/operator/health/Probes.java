package dev.backstop.operator.health;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.checks.ExecOutcome;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.QueryOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The I/O behind the checks; each call returns within the check's timeout and never throws. */
public interface Probes {

  /**
   * Sends an http check's request.
   *
   * @param at when the request starts, which the sample carries: the monitor judges a request
   *     that runs past a responseTime limit before it returns, and both verdicts name one probe
   */
  HttpSample http(HttpCheck check, Instant at);

  /** Runs a command in a container; see {@link ExecOutcome}. */
  ExecOutcome exec(DockerEndpoint dockerHost, String containerId, List<String> command, Duration timeout);

  /** Evaluates an instant PromQL query to one number. */
  QueryOutcome query(String prometheusUrl, String query, Duration timeout);
}
