package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * A serviceHealth check: the selected services (basics' services, or all) run and are healthy.
 * Judged at every reconcile from what the engine observed; it needs no probe.
 *
 * @param minimum a lower share (0..1) of healthy services fails
 */
public record ServiceHealthCheck(CheckBasics basics, double minimum) implements Check {

  @Override
  public CheckType type() {
    return CheckType.SERVICE_HEALTH;
  }

  /** The check a release without checks gets: every service healthy, at {@code interval}. */
  public static ServiceHealthCheck everyService(Duration interval) {
    return new ServiceHealthCheck(new CheckBasics("services", List.of(), 1, interval,
        CheckDefaults.timeoutFor(interval), CheckAction.ROLLBACK), 1.0);
  }

  /** Parses a serviceHealth entry; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    double minimum = f.percent("minimum", c.getMinimum(), null, 1.0);
    return f.valid() ? new ServiceHealthCheck(basics, minimum) : f.invalid(basics, CheckType.SERVICE_HEALTH);
  }
}
