package dev.backstop.operator.core;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 timestamps as status fields carry them (millisecond precision, UTC). */
public final class Timestamps {

  private Timestamps() {}

  public static String format(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  public static Instant parse(String text) {
    return text == null ? null : Instant.parse(text);
  }

  /** Seconds between two timestamps, rounded to milliseconds; null when either is missing. */
  public static Double secondsBetween(String from, String to) {
    if (from == null || to == null) {
      return null;
    }
    return Duration.between(parse(from), parse(to)).toMillis() / 1000.0;
  }
}
