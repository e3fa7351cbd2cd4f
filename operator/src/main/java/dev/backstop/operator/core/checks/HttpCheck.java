package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An http check: one request per interval, passing on an expected status (and body).
 *
 * @param statusFrom lowest passing status code
 * @param statusTo highest passing status code
 * @param bodyMatch a pattern the body must contain a match of, or null for any body
 */
public record HttpCheck(
    CheckBasics basics, String url, String method, int statusFrom, int statusTo, Pattern bodyMatch)
    implements Check {

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
  private static final Pattern STATUS = Pattern.compile("([1-5]\\d\\d)(?:-([1-5]\\d\\d))?");

  @Override
  public CheckType type() {
    return CheckType.HTTP;
  }

  /** Parses an http entry; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String url = f.url("url", c.getUrl());
    String method = c.getMethod() == null ? "GET" : c.getMethod().trim().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      f.problem(".method '" + c.getMethod() + "' is not one of " + new TreeSet<>(METHODS));
    }
    int from = 0;
    int to = 0;
    String expected = c.getExpectedStatus() == null ? "200-399" : c.getExpectedStatus().trim();
    Matcher m = STATUS.matcher(expected);
    if (m.matches()) {
      from = Integer.parseInt(m.group(1));
      to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
      if (to < from) {
        f.problem(".expectedStatus '" + expected + "' is an empty range; write the lower code first");
      }
    } else {
      f.problem(".expectedStatus '" + expected + "' is not a status code or range such as 200 or 200-399");
    }
    Pattern body = null;
    if (c.getBodyMatch() != null) {
      try {
        body = Pattern.compile(c.getBodyMatch());
      } catch (PatternSyntaxException e) {
        f.problem(".bodyMatch is not a valid regular expression: " + e.getDescription());
      }
    }
    return f.valid() ? new HttpCheck(basics, url, method, from, to, body) : f.invalid(basics, CheckType.HTTP);
  }

  /** The passing status codes for people: 200, or 200-399. */
  public String expectedStatus() {
    return statusFrom == statusTo ? String.valueOf(statusFrom) : statusFrom + "-" + statusTo;
  }
}
