package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;

/**
 * An errorRate check whose ratio (0..1) a PromQL query returns.
 *
 * @param url the Prometheus server
 * @param limit a higher ratio fails; exactly this passes
 */
public record QueryErrorRateCheck(CheckBasics basics, String url, String query, double limit)
    implements Check {

  @Override
  public CheckType type() {
    return CheckType.ERROR_RATE;
  }

  /** Parses an errorRate entry with a query; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String url = f.url("url", c.getUrl());
    double limit = f.percent("limit", c.getLimit(), "errorRate", Double.NaN);
    return f.valid()
        ? new QueryErrorRateCheck(basics, url, c.getQuery(), limit)
        : f.invalid(basics, CheckType.ERROR_RATE);
  }
}
