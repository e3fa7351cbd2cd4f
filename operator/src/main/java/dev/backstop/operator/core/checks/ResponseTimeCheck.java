package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;

/**
 * A responseTime check, judged from the latest sample of an http check whenever that one runs.
 *
 * @param source the http check whose samples are judged
 * @param limit slower than this fails; exactly this passes
 */
public record ResponseTimeCheck(CheckBasics basics, String source, Duration limit) implements Check {

  @Override
  public CheckType type() {
    return CheckType.RESPONSE_TIME;
  }

  /** Parses a responseTime entry; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String source = f.httpCheck(c.getCheck(), defaults);
    Duration limit = null;
    if (c.getLimit() == null) {
      f.problem(".limit is required for responseTime, e.g. 500ms");
    } else {
      limit = f.duration("limit", c.getLimit(), null);
    }
    return f.valid() ? new ResponseTimeCheck(basics, source, limit) : f.invalid(basics, CheckType.RESPONSE_TIME);
  }
}
