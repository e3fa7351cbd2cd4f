package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Duration;

/**
 * An errorRate check over an http check's samples in a sliding window.
 *
 * @param source the http check whose samples are judged
 * @param limit a higher share of failures (0..1) fails; exactly this passes
 * @param window how far back samples count
 */
public record SampleErrorRateCheck(CheckBasics basics, String source, double limit, Duration window)
    implements Check {

  @Override
  public CheckType type() {
    return CheckType.ERROR_RATE;
  }

  /** Parses an errorRate entry without a query; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String source = f.httpCheck(c.getCheck(), defaults);
    Duration window = f.duration("window", c.getWindow(), CheckDefaults.WINDOW);
    double limit = f.percent("limit", c.getLimit(), "errorRate", Double.NaN);
    return f.valid()
        ? new SampleErrorRateCheck(basics, source, limit, window)
        : f.invalid(basics, CheckType.ERROR_RATE);
  }
}
