package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.core.Durations;
import dev.backstop.operator.core.Percentages;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of one check definition and collects what is wrong with them, each problem
 * named by its field path (e.g. spec.health.checks[2].limit), so a person can find and fix it.
 */
public final class CheckFields {

  private final String where;
  private final List<String> problems = new ArrayList<>();

  CheckFields(String where) {
    this.where = where;
  }

  /** Records a problem; {@code suffix} starts with the field, e.g. ".url is required". */
  void problem(String suffix) {
    problems.add(where + suffix);
  }

  boolean valid() {
    return problems.isEmpty();
  }

  /** The check that reports every problem found, never probed and never acted on. */
  InvalidCheck invalid(CheckBasics basics, CheckType type) {
    return new InvalidCheck(basics, type, String.join("; ", problems));
  }

  Duration duration(String field, String text, Duration fallback) {
    return duration(problems, where + "." + field, text, fallback);
  }

  /**
   * A positive duration such as 500ms or 2m: {@code fallback} when absent, and also when invalid
   * (after recording why).
   */
  public static Duration duration(List<String> problems, String field, String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      Duration d = Durations.parse(field, text);
      if (d.isZero()) {
        problems.add(field + " must be longer than 0");
        return fallback;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return fallback;
    }
  }

  /** A required http(s) URL with a host; null when it is missing or unusable. */
  String url(String field, String text) {
    String path = where + "." + field;
    if (text == null || text.isBlank()) {
      problems.add(path + " is required, e.g. http://127.0.0.1:8080/health");
      return null;
    }
    try {
      URI uri = new URI(text.trim());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        problems.add(path + " '" + text + "' is not an http(s) URL with a host, e.g. http://127.0.0.1:8080/health");
        return null;
      }
      return uri.toString();
    } catch (URISyntaxException e) {
      problems.add(path + " '" + text + "' is not a URL: " + e.getReason());
      return null;
    }
  }

  /** The name of the http check whose samples are judged; null when it names none of this release. */
  String httpCheck(String name, CheckDefaults defaults) {
    if (name == null || name.isBlank()) {
      problem(".check is required: the name of the http check whose samples are judged");
      return null;
    }
    if (!defaults.httpChecks().contains(name)) {
      problem(".check '" + name + "' names no http check of this release");
      return null;
    }
    return name;
  }

  /**
   * A share such as 5% as a fraction (0..1).
   *
   * @param requiredFor the kind that requires it, or null when {@code fallback} applies
   */
  double percent(String field, String text, String requiredFor, double fallback) {
    String path = where + "." + field;
    if (text == null) {
      if (requiredFor != null) {
        problems.add(path + " is required for " + requiredFor + ", e.g. 5%");
      }
      return fallback;
    }
    try {
      return Percentages.parse(path, text);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return fallback;
    }
  }
}
