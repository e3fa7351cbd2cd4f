package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * One health check with its defaults applied: one record per kind, each validating its own fields,
 * and {@link InvalidCheck} for a definition that cannot be used. Callers tell kinds apart with
 * {@code instanceof} patterns, so a new kind is one record, one probe and one evaluator.
 */
public sealed interface Check
    permits HttpCheck,
        ResponseTimeCheck,
        SampleErrorRateCheck,
        QueryErrorRateCheck,
        ServiceHealthCheck,
        ExecCheck,
        PrometheusCheck,
        InvalidCheck {

  /** What every kind has: name, services, consecutive failures, interval, timeout and action. */
  CheckBasics basics();

  /** The kind as spec.health.checks[].type names it, for people. */
  CheckType type();

  default String name() {
    return basics().name();
  }

  default List<String> services() {
    return basics().services();
  }

  default int consecutiveFailures() {
    return basics().consecutiveFailures();
  }

  default Duration interval() {
    return basics().interval();
  }

  default Duration timeout() {
    return basics().timeout();
  }

  default CheckAction action() {
    return basics().action();
  }

  /** Whether this check's trip rolls the release back (as opposed to alerting only). */
  default boolean rollsBack() {
    return action() == CheckAction.ROLLBACK;
  }

  /**
   * Parses one spec.health.checks[] entry whose name and type are present. Problems with its own
   * fields do not invalidate the spec: they make an {@link InvalidCheck}, so the other checks keep
   * working and nothing is rolled back because of it.
   *
   * @param where the entry's field path, e.g. spec.health.checks[2]
   */
  static Check from(HealthCheckSpec spec, String where, CheckDefaults defaults) {
    return switch (spec.getType()) {
      case HTTP -> HttpCheck.from(spec, where, defaults);
      case RESPONSE_TIME -> ResponseTimeCheck.from(spec, where, defaults);
      case ERROR_RATE -> spec.getQuery() != null
          ? QueryErrorRateCheck.from(spec, where, defaults)
          : SampleErrorRateCheck.from(spec, where, defaults);
      case SERVICE_HEALTH -> ServiceHealthCheck.from(spec, where, defaults);
      case EXEC -> ExecCheck.from(spec, where, defaults);
      case PROMETHEUS -> PrometheusCheck.from(spec, where, defaults);
    };
  }
}
