package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last values of each check of each release, bounded, as the status snapshots the server served
 * showed them: status keeps only a check's last value, the status page charts the recent ones.
 */
final class CheckSamples {

  /** One recorded value: its text as status has it, the number charted, and the check's state. */
  record Sample(String time, String value, Double number, String state) {}

  /** A line on the chart: a value is a failure {@code failsWhen} it is "above" or "below" it. */
  record Threshold(double value, String unit, String failsWhen, String label) {}

  private static final Pattern LATENCY = Pattern.compile("(?:(\\d+)m)?(\\d+(?:\\.\\d+)?)(ms|s)$");
  private static final Pattern PERCENT = Pattern.compile("^(\\d+(?:\\.\\d+)?)%");
  private static final Pattern RATIO = Pattern.compile("^(\\d+)/(\\d+)\\b");

  private final int size;
  private final Map<String, Map<String, Deque<Sample>>> rings = new HashMap<>();
  private final Map<String, Map<String, String>> lastKeys = new HashMap<>();
  // Bumped whenever a release's samples change, so that a rendered view can tell it is stale.
  private long changes;
  private final Map<String, Long> versions = new HashMap<>();

  CheckSamples(int size) {
    this.size = size;
  }

  /** Adds each check's value from a new snapshot, unless the check has not changed since. */
  synchronized void record(String release, List<CheckStatus> checks, Instant seen) {
    Map<String, Deque<Sample>> byCheck = rings.computeIfAbsent(release, r -> new HashMap<>());
    Map<String, String> keys = lastKeys.computeIfAbsent(release, r -> new HashMap<>());
    for (CheckStatus c : checks) {
      if (c.getName() == null) {
        continue;
      }
      // A steady check keeps its value, state and times: the same key is the same observation.
      String key = c.getLastValue() + "|" + c.getState() + "|" + c.getConsecutiveFailures() + "|"
          + c.getLastCountedFailureTime() + "|" + c.getLastTransitionTime();
      if (key.equals(keys.put(c.getName(), key))) {
        continue;
      }
      Deque<Sample> ring = byCheck.computeIfAbsent(c.getName(), n -> new ArrayDeque<>());
      ring.addLast(new Sample(seen.toString(), c.getLastValue(), null,
          c.getState() == null ? null : c.getState().name()));
      while (ring.size() > size) {
        ring.removeFirst();
      }
      versions.put(release, ++changes);
    }
  }

  /** Changes whenever the samples of {@code release} change (0 before any). */
  synchronized long version(String release) {
    return versions.getOrDefault(release, 0L);
  }

  /** The recorded samples of one check, oldest first, with numbers read for its type. */
  synchronized List<Sample> samples(String release, String check, CheckType type) {
    Deque<Sample> ring = rings.getOrDefault(release, Map.of()).get(check);
    List<Sample> out = new ArrayList<>();
    if (ring != null) {
      for (Sample s : ring) {
        out.add(new Sample(s.time(), s.value(), number(type, s.value()), s.state()));
      }
    }
    return out;
  }

  synchronized void forget(String release) {
    rings.remove(release);
    lastKeys.remove(release);
    versions.put(release, ++changes);
  }

  /**
   * The number in a check's value text as the probes write it: milliseconds for latencies
   * ("523ms", ">2.0s", "200 in 12ms"), percent for shares ("5.5%", "2/2 services healthy"), the
   * plain number for prometheus; null when there is none ("no response", exec checks).
   */
  static Double number(CheckType type, String value) {
    if (value == null || type == null) {
      return null;
    }
    String v = value.strip();
    switch (type) {
      case RESPONSE_TIME, HTTP -> {
        Matcher m = LATENCY.matcher(v);
        if (!m.find()) {
          return null;
        }
        double n = Double.parseDouble(m.group(2)) * (m.group(3).equals("s") ? 1000 : 1);
        return m.group(1) == null ? n : n + Long.parseLong(m.group(1)) * 60_000.0;
      }
      case ERROR_RATE, SERVICE_HEALTH -> {
        Matcher pct = PERCENT.matcher(v);
        if (pct.find()) {
          return Double.parseDouble(pct.group(1));
        }
        Matcher ratio = RATIO.matcher(v);
        if (ratio.find() && !ratio.group(2).equals("0")) {
          return 100.0 * Long.parseLong(ratio.group(1)) / Long.parseLong(ratio.group(2));
        }
        return null;
      }
      case PROMETHEUS -> {
        try {
          return Double.parseDouble(v);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      default -> {
        return null;
      }
    }
  }

  /** The line a check's values are judged against; null when its spec has none to draw. */
  static Threshold threshold(HealthCheckSpec spec) {
    if (spec == null || spec.getType() == null) {
      return null;
    }
    try {
      return switch (spec.getType()) {
        case RESPONSE_TIME -> spec.getLimit() == null ? null
            : new Threshold(Objects.requireNonNull(number(CheckType.RESPONSE_TIME, spec.getLimit())),
                "ms", "above", "limit " + spec.getLimit());
        case ERROR_RATE -> spec.getLimit() == null ? null
            : new Threshold(Objects.requireNonNull(number(CheckType.ERROR_RATE, spec.getLimit())),
                "%", "above", "limit " + spec.getLimit());
        case SERVICE_HEALTH -> {
          String min = spec.getMinimum() == null ? "100%" : spec.getMinimum();
          yield new Threshold(Objects.requireNonNull(number(CheckType.SERVICE_HEALTH, min)), "%",
              "below", "minimum " + min);
        }
        case PROMETHEUS -> spec.getThreshold() == null || spec.getOperator() == null ? null
            : new Threshold(Double.parseDouble(spec.getThreshold().strip()), "",
                spec.getOperator().startsWith("<") ? "above" : spec.getOperator().startsWith(">") ? "below" : "off",
                "passes when value " + spec.getOperator() + " " + spec.getThreshold());
        default -> null;
      };
    } catch (NullPointerException | NumberFormatException e) {
      // An invalid limit is reported on the check itself; the chart just draws no line.
      return null;
    }
  }

  /**
   * The type of a check that has no spec to say it, read from its value: the check Backstop adds by
   * itself when a release names none is a serviceHealth check ("1/1 services healthy").
   */
  static CheckType guess(String value) {
    return value != null && RATIO.matcher(value.strip()).find() && value.contains("services healthy")
        ? CheckType.SERVICE_HEALTH : null;
  }

  /** The unit a check's values are charted in. */
  static String unit(CheckType type) {
    if (type == null) {
      return "";
    }
    return switch (type) {
      case RESPONSE_TIME, HTTP -> "ms";
      case ERROR_RATE, SERVICE_HEALTH -> "%";
      default -> "";
    };
  }
}
