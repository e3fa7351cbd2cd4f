package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * The fields every check kind has, defaults applied.
 *
 * @param services serviceHealth: the compose services to consider (empty = all)
 * @param interval how often it runs (its own, or spec.health.interval)
 * @param timeout how long one probe may take
 */
public record CheckBasics(
    String name,
    List<String> services,
    int consecutiveFailures,
    Duration interval,
    Duration timeout,
    CheckAction action) {

  public CheckBasics {
    services = List.copyOf(services);
  }

  /** Parses the common fields of {@code spec}, reporting problems to {@code fields}. */
  static CheckBasics parse(HealthCheckSpec spec, CheckFields fields, CheckDefaults defaults) {
    int failures = spec.getConsecutiveFailures() == null ? 1 : spec.getConsecutiveFailures();
    if (failures < 1) {
      fields.problem(".consecutiveFailures must be 1 or more, not " + failures);
    }
    Duration interval = fields.duration("interval", spec.getInterval(), defaults.interval());
    Duration timeout = fields.duration("timeout", spec.getTimeout(), CheckDefaults.timeoutFor(interval));
    CheckAction action = spec.getAction() == null ? CheckAction.ROLLBACK : spec.getAction();
    List<String> services = spec.getServices() == null ? List.of() : spec.getServices();
    return new CheckBasics(spec.getName(), services, Math.max(failures, 1), interval, timeout, action);
  }
}
