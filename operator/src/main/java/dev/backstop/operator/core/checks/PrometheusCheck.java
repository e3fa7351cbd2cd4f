package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.util.Set;

/**
 * A prometheus check: passes when {@code query operator threshold} holds.
 *
 * @param url the Prometheus server
 * @param operator one of <, <=, >, >=, ==, !=
 */
public record PrometheusCheck(CheckBasics basics, String url, String query, String operator, double threshold)
    implements Check {

  private static final Set<String> OPERATORS = Set.of("<", "<=", ">", ">=", "==", "!=");

  @Override
  public CheckType type() {
    return CheckType.PROMETHEUS;
  }

  /** Parses a prometheus entry; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String url = f.url("url", c.getUrl());
    String query = c.getQuery();
    if (query == null || query.isBlank()) {
      f.problem(".query is required for prometheus, e.g. up{job=\"app\"}");
    }
    String operator = c.getOperator() == null ? null : c.getOperator().trim();
    if (operator == null || !OPERATORS.contains(operator)) {
      f.problem(".operator '" + c.getOperator() + "' is not one of <, <=, >, >=, ==, !=");
    }
    double threshold = 0;
    try {
      threshold = Double.parseDouble(c.getThreshold() == null ? "" : c.getThreshold().trim());
    } catch (NumberFormatException e) {
      f.problem(".threshold '" + c.getThreshold() + "' is not a number");
    }
    return f.valid()
        ? new PrometheusCheck(basics, url, query, operator, threshold)
        : f.invalid(basics, CheckType.PROMETHEUS);
  }
}
