package dev.backstop.operator.core;

import java.util.regex.Pattern;

/** Parses percentages as the runbook writes them ({@code 5%}, {@code 99.5%}) into fractions. */
public final class Percentages {

  private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d+)?%");

  private Percentages() {}

  /**
   * Parses a percentage between 0% and 100%.
   *
   * @return the fraction, e.g. 0.05 for {@code 5%}
   * @throws IllegalArgumentException with a message naming the field and the accepted form
   */
  public static double parse(String field, String text) {
    String t = text == null ? "" : text.trim();
    if (!PERCENT.matcher(t).matches()) {
      throw new IllegalArgumentException(
          field + " '" + Durations.abbreviate(text) + "' is not a percentage; write a number from 0 to 100 followed by %, e.g. 5%");
    }
    double value = Double.parseDouble(t.substring(0, t.length() - 1));
    if (value > 100) {
      throw new IllegalArgumentException(field + " '" + Durations.abbreviate(text) + "' is more than 100%");
    }
    return value / 100.0;
  }

  /** Formats a fraction as a percentage with at most two decimals: 0.05 -> 5%, 1/3 -> 33.33%. */
  public static String format(double fraction) {
    double pct = Math.round(fraction * 10000.0) / 100.0;
    return (pct == Math.rint(pct) ? String.valueOf((long) pct) : String.valueOf(pct)) + "%";
  }
}
