package dev.backstop.operator.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go/Kubernetes-style durations such as {@code 500ms}, {@code 10s}, {@code 1m30s}. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");
  // About 100 years: longer is a typo, and the arithmetic on it (deadlines, sums) must not overflow.
  private static final Duration MAX = Duration.ofDays(36_500);

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message naming the field and the accepted form
   */
  public static Duration parse(String field, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(field + " is empty; use a duration such as 30s or 2m");
    }
    String t = text.trim();
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      try {
        long n = Long.parseLong(m.group(1));
        total =
            switch (m.group(2)) {
              case "ms" -> total.plusMillis(n);
              case "s" -> total.plusSeconds(n);
              case "m" -> total.plusMinutes(n);
              default -> total.plusHours(n);
            };
      } catch (NumberFormatException | ArithmeticException e) {
        throw tooLong(field, text);
      }
      if (total.compareTo(MAX) > 0) {
        throw tooLong(field, text);
      }
      end = m.end();
    }
    if (end != t.length() || end == 0) {
      throw new IllegalArgumentException(
          field + " '" + abbreviate(text) + "' is not a duration; use a number with ms, s, m or h, e.g. 500ms, 30s, 2m, 1m30s");
    }
    return total;
  }

  private static IllegalArgumentException tooLong(String field, String text) {
    return new IllegalArgumentException(
        field + " '" + abbreviate(text) + "' is too long; use at most " + MAX.toDays() + " days, e.g. 24h");
  }

  // A 1 MB value must not come back as a 1 MB status message.
  static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 60) + "...";
  }

  /** Formats a duration the way people write them: 1.8s, 2m05s, 450ms. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    return String.format("%dm%02ds", ms / 60_000, (ms % 60_000) / 1000);
  }
}
