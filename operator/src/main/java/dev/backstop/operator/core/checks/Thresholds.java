package dev.backstop.operator.core.checks;

import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.Durations;
import dev.backstop.operator.core.Percentages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pure threshold evaluation: a probe's raw finding against the check's limit. Limits are the
 * runbook's "> 500ms" and "> 5%": a value over the limit fails, a value exactly at the limit passes.
 * An errorRate window holds the samples started in (now - window, now].
 */
public final class Thresholds {

  // Rates are ratios of small integers; equal ones may differ in the last bit of a double.
  private static final double EPSILON = 1e-12;

  private Thresholds() {}

  /** An http check: the request's status (and body) as expected. */
  public static CheckResult http(HttpCheck check, HttpSample sample) {
    String value = sample.status() == 0 ? "no response" : sample.status() + " in " + latency(sample);
    return new CheckResult(check.name(), sample.passed() ? Outcome.PASS : Outcome.FAIL, value, sample.detail(), List.of(),
        sample.at());
  }

  /** Whether the app answered at all (any status, or too slowly): after that, failures count. */
  public static boolean answered(HttpSample sample) {
    return sample.status() != 0 || sample.timedOut();
  }

  /**
   * An http check whose app has not answered once since it was applied: pending, not failed, so a
   * deploy is not judged on requests sent before its app listens.
   */
  public static CheckResult awaitingFirstResponse(HttpCheck check, HttpSample sample) {
    return new CheckResult(check.name(), Outcome.PENDING, "no response",
        "waiting for the first response since the deploy: " + sample.detail(), List.of(), sample.at());
  }

  /** A responseTime check over the latest sample of its http check: slower than the limit fails. */
  public static CheckResult responseTime(ResponseTimeCheck check, HttpSample sample) {
    Duration limit = check.limit();
    if (sample.latency() == null) {
      return new CheckResult(check.name(), Outcome.PENDING, "no response",
          "no response time to measure: " + sample.detail(), List.of(), sample.at());
    }
    String value = latency(sample);
    if (sample.timedOut()) {
      return new CheckResult(check.name(), Outcome.FAIL, ">" + value,
          "no response within " + value + ", over the " + Durations.format(limit) + " limit", List.of(), sample.at());
    }
    if (sample.latency().compareTo(limit) > 0) {
      return new CheckResult(check.name(), Outcome.FAIL, value,
          "response took " + value + ", over the " + Durations.format(limit) + " limit", List.of(), sample.at());
    }
    return new CheckResult(check.name(), Outcome.PASS, value,
        "response took " + value + ", within the " + Durations.format(limit) + " limit", List.of(), sample.at());
  }

  /**
   * A responseTime check whose request, started {@code at}, has run past the limit unanswered: it
   * has failed whatever the answer will be, so it counts now, not when the request returns.
   */
  public static CheckResult responseTimeOverdue(ResponseTimeCheck check, Instant at) {
    String limit = Durations.format(check.limit());
    return new CheckResult(check.name(), Outcome.FAIL, ">" + limit,
        "no response within the " + limit + " limit", List.of(), at);
  }

  /** An errorRate check over its http check's samples in the window ending now. */
  public static CheckResult errorRate(SampleErrorRateCheck check, List<HttpSample> samples, Instant now) {
    Instant from = now.minus(check.window());
    int total = 0;
    int failed = 0;
    Instant latest = null;
    for (HttpSample s : samples) {
      if (s.at().isAfter(from) && !s.at().isAfter(now)) {
        total++;
        failed += s.passed() ? 0 : 1;
        latest = latest == null || s.at().isAfter(latest) ? s.at() : latest;
      }
    }
    if (total == 0) {
      return new CheckResult(check.name(), Outcome.PENDING, "no samples",
          "no requests of check " + check.source() + " in the last " + Durations.format(check.window()), List.of(), now);
    }
    return rate(check, check.limit(), (double) failed / total, failed + "/" + total + " requests failed", latest);
  }

  /** An errorRate check whose ratio (0..1) came from a Prometheus query. */
  public static CheckResult errorRate(QueryErrorRateCheck check, double ratio, Instant probedAt) {
    return rate(check, check.limit(), ratio, "query returned " + ratio, probedAt);
  }

  private static CheckResult rate(Check check, double max, double rate, String what, Instant at) {
    String value = Percentages.format(rate);
    String limit = Percentages.format(max);
    if (rate > max + EPSILON) {
      return new CheckResult(check.name(), Outcome.FAIL, value,
          what + ": error rate " + value + " is over the " + limit + " limit", List.of(), at);
    }
    return new CheckResult(check.name(), Outcome.PASS, value,
        what + ": error rate " + value + " is within the " + limit + " limit", List.of(), at);
  }

  /** A prometheus check: passes when {@code value operator threshold} holds. */
  public static CheckResult prometheus(PrometheusCheck check, double value, Instant probedAt) {
    boolean holds = compare(value, check.operator(), check.threshold());
    String text = format(value);
    String expectation = "expected " + check.operator() + " " + format(check.threshold());
    return new CheckResult(check.name(), holds ? Outcome.PASS : Outcome.FAIL, text,
        "query returned " + text + (holds ? ", as " : ", but ") + expectation, List.of(), probedAt);
  }

  /** Compares like PromQL's comparison operators; NaN satisfies nothing but !=. */
  static boolean compare(double value, String operator, double threshold) {
    return switch (operator) {
      case "<" -> value < threshold;
      case "<=" -> value <= threshold;
      case ">" -> value > threshold;
      case ">=" -> value >= threshold;
      case "==" -> value == threshold;
      case "!=" -> value != threshold;
      default -> throw new IllegalArgumentException("unknown operator " + operator);
    };
  }

  private static String latency(HttpSample s) {
    return s.latency() == null ? "?" : Durations.format(s.latency());
  }

  private static String format(double d) {
    return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** The container an exec check's command runs in: the first running one of its service. */
  public static Optional<ContainerState> execContainer(ExecCheck check, List<ContainerState> containers) {
    return containers.stream().filter(s -> check.service().equals(s.service()) && s.running()).findFirst();
  }

  /**
   * An exec check whose command cannot run now: a service the compose files do not define is the
   * check's error (its definition is wrong); a service without a running container fails. Empty
   * when the command can run in {@code container}.
   *
   * @param defined the services the running commit's compose files define (empty when unknown)
   */
  public static Optional<CheckResult> execUnrunnable(
      ExecCheck check, List<String> defined, Optional<ContainerState> container, Instant at) {
    if (!defined.isEmpty() && !defined.contains(check.service())) {
      return Optional.of(new CheckResult(check.name(), Outcome.ERROR, "?", "service " + check.service()
          + " is not defined in the compose files (they define " + defined + "); fix the check's service",
          List.of(), at));
    }
    if (container.isEmpty()) {
      return Optional.of(new CheckResult(check.name(), Outcome.FAIL, "no container",
          "service " + check.service() + " has no running container to run the command in",
          List.of(check.service()), at));
    }
    return Optional.empty();
  }

  /** An exec check: exit code 0 passes; an engine that cannot be asked decides nothing. */
  public static CheckResult exec(ExecCheck check, ExecOutcome outcome, Instant at) {
    String where = "in service " + check.service() + ": " + String.join(" ", check.command());
    if (outcome.unavailable()) {
      return new CheckResult(check.name(), Outcome.PENDING, "?", outcome.output(), List.of(), at);
    }
    if (outcome.exitCode() == null) {
      return new CheckResult(check.name(), Outcome.FAIL, "timeout", where + " " + outcome.output(),
          List.of(check.service()), at);
    }
    String tail = outcome.output().isBlank() ? "" : ": " + outcome.output();
    return new CheckResult(check.name(), outcome.exitCode() == 0 ? Outcome.PASS : Outcome.FAIL,
        "exit " + outcome.exitCode(), where + " exited " + outcome.exitCode() + tail,
        outcome.exitCode() == 0 ? List.of() : List.of(check.service()), at);
  }

  /**
   * A prometheus check from its query's outcome. A query the server rejects is the check's fault
   * (error); a server that cannot be asked decides nothing (pending); no data fails.
   */
  public static CheckResult query(PrometheusCheck check, QueryOutcome q, Instant at) {
    return switch (q.kind()) {
      case OK -> prometheus(check, q.value(), at);
      case NO_DATA -> new CheckResult(check.name(), Outcome.FAIL, "no data", q.message(), List.of(), at);
      default -> unanswered(check, q, at);
    };
  }

  /**
   * A query-based errorRate check from its query's outcome: as {@link #query(PrometheusCheck,
   * QueryOutcome, Instant)}, except that no data (no requests yet) is pending, not a failure.
   */
  public static CheckResult query(QueryErrorRateCheck check, QueryOutcome q, Instant at) {
    return switch (q.kind()) {
      case OK -> errorRate(check, q.value(), at);
      case NO_DATA -> new CheckResult(check.name(), Outcome.PENDING, "no data", q.message(), List.of(), at);
      default -> unanswered(check, q, at);
    };
  }

  private static CheckResult unanswered(Check check, QueryOutcome q, Instant at) {
    return q.kind() == QueryOutcome.Kind.REJECTED
        ? new CheckResult(check.name(), Outcome.ERROR, "rejected", q.message(), List.of(), at)
        : new CheckResult(check.name(), Outcome.PENDING, "?", q.message(), List.of(), at);
  }
}
