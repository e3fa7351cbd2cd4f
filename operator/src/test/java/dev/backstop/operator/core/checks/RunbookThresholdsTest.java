package dev.backstop.operator.core.checks;

import static dev.backstop.operator.core.checks.ThresholdsTest.errorRate;
import static dev.backstop.operator.core.checks.ThresholdsTest.http;
import static dev.backstop.operator.core.checks.ThresholdsTest.responseTime;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.ReleaseSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runbook's consecutive-failure rules through {@link CheckTracker} with a fake clock: http
 * samples every second, evaluated by {@link Thresholds}, and a reconciler that looks more often
 * than probes run.
 */
class RunbookThresholdsTest {

  private ReleaseSettings settings;
  private Instant now = Instant.parse("2026-11-26T10:00:00Z");
  private List<CheckStatus> statuses = List.of();
  private final List<HttpSample> samples = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    settings = ThresholdsTest.settings(http(), responseTime("500ms"), errorRate("5%", "10s"));
  }

  /** One probe of the http check taking {@code millis}, then three reconciles before the next. */
  private void probe(long millis, boolean passed) {
    HttpSample s = new HttpSample(now, passed ? 200 : 500, Duration.ofMillis(millis), passed, false, "x");
    samples.add(s);
    List<CheckResult> results = List.of(
        Thresholds.http((HttpCheck) settings.check("http"), s),
        Thresholds.responseTime((ResponseTimeCheck) settings.check("response_time"), s),
        Thresholds.errorRate((SampleErrorRateCheck) settings.check("error_rate"), samples, now));
    for (int i = 0; i < 3; i++) {
      statuses = CheckTracker.record(statuses, results, settings, now.plusMillis(300L * i));
    }
    now = now.plusSeconds(1);
  }

  private CheckStatus status(String name) {
    return statuses.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void threeSlowResponsesInARowTripResponseTimeAndTwoDoNot() {
    probe(700, true);
    probe(700, true);
    assertThat(status("response_time").getConsecutiveFailures()).as("counted once per probe, not per look").isEqualTo(2);
    assertThat(status("response_time").getTripped()).isFalse();
    assertThat(status("response_time").getState()).isEqualTo(CheckState.Failing);
    probe(700, true);
    assertThat(status("response_time").getTripped()).isTrue();
    assertThat(status("response_time").getState()).isEqualTo(CheckState.Tripped);
    assertThat(status("response_time").getLastValue()).isEqualTo("700ms");
  }

  @Test
  void oneFastResponseResetsTheCount() {
    probe(700, true);
    probe(700, true);
    probe(120, true);
    assertThat(status("response_time").getConsecutiveFailures()).isZero();
    probe(700, true);
    probe(700, true);
    assertThat(status("response_time").getTripped()).isFalse();
  }

  @Test
  void responsesOfExactly500msNeverTrip() {
    for (int i = 0; i < 5; i++) {
      probe(500, true);
    }
    assertThat(status("response_time").getConsecutiveFailures()).isZero();
    assertThat(status("response_time").getState()).isEqualTo(CheckState.Passing);
  }

  @Test
  void errorRateOver5PercentTwiceTrips() {
    for (int i = 0; i < 5; i++) {
      probe(10, true);
    }
    probe(10, false); // 1/6 = 16.7 %
    assertThat(status("error_rate").getConsecutiveFailures()).isEqualTo(1);
    assertThat(status("error_rate").getTripped()).isFalse();
    probe(10, true); // 1/7 = 14.3 %, still over
    assertThat(status("error_rate").getTripped()).isTrue();
    assertThat(status("http").getConsecutiveFailures()).as("the http check itself passed again").isZero();
  }

  @Test
  void aSingleSlowProbeIsForgotten() {
    probe(100, true);
    probe(2000, true);
    probe(100, true);
    for (int i = 0; i < 5; i++) {
      probe(100, true);
    }
    assertThat(status("response_time").getConsecutiveFailures()).isZero();
    assertThat(statuses).noneMatch(s -> Boolean.TRUE.equals(s.getTripped()));
  }
}
