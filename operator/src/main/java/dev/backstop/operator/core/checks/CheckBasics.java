package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * The fields every check kind has, defaults applied.
 *
 * @param services serviceHealth: the compose services to consider (empty = all)
 * @param service the compose service the check judges (exec: runs in), or null: what a gradual
 *     rollback moves back when it trips
 * @param interval how often it runs (its own, or spec.health.interval)
 * @param timeout how long one probe may take
 */
public record CheckBasics(
    String name,
    List<String> services,
    int consecutiveFailures,
    Duration interval,
    Duration timeout,
    CheckAction action,
    String service) {

  /** No probe runs more often than this. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  public CheckBasics {
    services = List.copyOf(services);
  }

  /** Basics of a check that names no service of its own. */
  public CheckBasics(
      String name, List<String> services, int consecutiveFailures, Duration interval, Duration timeout,
      CheckAction action) {
    this(name, services, consecutiveFailures, interval, timeout, action, null);
  }

  /** Parses the common fields of {@code spec}, reporting problems to {@code fields}. */
  static CheckBasics parse(HealthCheckSpec spec, CheckFields fields, CheckDefaults defaults) {
    int failures = spec.getConsecutiveFailures() == null ? 1 : spec.getConsecutiveFailures();
    if (failures < 1) {
      fields.problem(".consecutiveFailures must be 1 or more, not " + failures);
    }
    Duration interval = fields.duration("interval", spec.getInterval(), defaults.interval());
    if (spec.getInterval() != null && interval.compareTo(MIN_INTERVAL) < 0) {
      fields.problem(".interval " + spec.getInterval().trim() + " is below the floor of 1s: a probe that often"
          + " would load the stack it watches");
      interval = MIN_INTERVAL;
    }
    Duration timeout = fields.duration("timeout", spec.getTimeout(), CheckDefaults.timeoutFor(interval));
    CheckAction action = spec.getAction() == null ? CheckAction.ROLLBACK : spec.getAction();
    List<String> services = spec.getServices() == null ? List.of() : spec.getServices();
    if (services.stream().anyMatch(java.util.Objects::isNull)) {
      fields.problem(".services must not hold empty (null) entries");
      services = services.stream().filter(java.util.Objects::nonNull).toList();
    }
    String service = spec.getService() == null || spec.getService().isBlank() ? null : spec.getService().strip();
    return new CheckBasics(spec.getName(), services, Math.max(failures, 1), interval, timeout, action, service);
  }
}
