package dev.backstop.operator.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hung probe must not keep its last PASS: a result too old counts as a failure. */
class StalenessTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static ReleaseSettings settings() throws Exception {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("v1");
    spec.setSource(source);
    HealthCheckSpec web = new HealthCheckSpec();
    web.setName("web");
    web.setType(CheckType.HTTP);
    web.setUrl("http://127.0.0.1:8080/");
    web.setInterval("10s");
    web.setTimeout("2s");
    web.setConsecutiveFailures(2);
    HealthSpec health = new HealthSpec();
    health.setChecks(List.of(web));
    spec.setHealth(health);
    return ReleaseSettings.from("demo", spec);
  }

  @Test
  void aFreshPassCountsAndAnOldOneIsAFailureNamingItsAge() throws Exception {
    ReleaseSettings s = settings();
    Check web = s.check("web");
    CheckResult pass = new CheckResult("web", Outcome.PASS, "200", "answered 200", List.of(), T0);
    // interval 10 s + timeout 2 s + slack 5 s = 17 s.
    assertThat(Staleness.judge(web, pass, T0.plusSeconds(17))).isSameAs(pass);
    CheckResult old = Staleness.judge(web, pass, T0.plusSeconds(40));
    assertThat(old.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(old.message()).startsWith("probe has not answered for 40 s");
    assertThat(old.probedAt()).isNull();
  }

  @Test
  void aSilentProbeTripsItsCheckOverTime() throws Exception {
    ReleaseSettings s = settings();
    CheckResult pass = new CheckResult("web", Outcome.PASS, "200", "answered 200", List.of(), T0);
    List<CheckStatus> statuses = CheckTracker.record(List.of(), List.of(pass), s, T0.plusSeconds(1));
    assertThat(statuses.get(0).getPassing()).isTrue();
    // The same last PASS, never replaced: the probe hangs.
    statuses = CheckTracker.record(statuses, List.of(pass), s, T0.plusSeconds(20));
    assertThat(statuses.get(0).getState()).isNotEqualTo(CheckState.Passing);
    assertThat(statuses.get(0).getMessage()).contains("probe has not answered for 20 s");
    statuses = CheckTracker.record(statuses, List.of(pass), s, T0.plusSeconds(31));
    assertThat(statuses.get(0).getTripped()).isTrue();
    assertThat(statuses.get(0).getConsecutiveFailures()).isEqualTo(2);
    // An answer again clears it.
    CheckResult back = new CheckResult("web", Outcome.PASS, "200", "answered 200", List.of(), T0.plusSeconds(32));
    statuses = CheckTracker.record(statuses, List.of(back), s, T0.plusSeconds(33));
    assertThat(statuses.get(0).getPassing()).isTrue();
  }

  @Test
  void resultsWithoutAProbeTimeAreNeverStale() throws Exception {
    CheckResult now = new CheckResult("web", Outcome.PASS, "x", "x", List.of());
    assertThat(Staleness.judge(settings().check("web"), now, T0.plus(Duration.ofDays(1)))).isSameAs(now);
  }
}
