package dev.backstop.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import dev.backstop.operator.core.ReleaseEvent.Type;
import dev.backstop.operator.core.Timestamps;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters derived from statuses fed through the drivers' hooks. */
class ReleaseMetricsTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String SHOP = "team-a/shop";
  private static final String SHOP_SERIES = "namespace=\"team-a\",release=\"shop\"";

  /** A clock the test moves by hand. */
  static final class TestClock extends Clock {
    Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .orElseThrow(() -> new AssertionError(series + " not in\n" + scrape));
  }

  private static Revision rev(String commit) {
    Revision r = new Revision();
    r.setCommit(commit);
    r.setRef(commit.substring(0, 2));
    return r;
  }

  private static HistoryEntry entry(ActionKind action, Trigger trigger, Instant start, Instant end, Result result) {
    HistoryEntry h = new HistoryEntry();
    h.setAction(action);
    h.setTrigger(trigger);
    h.setStartTime(Timestamps.format(start));
    h.setEndTime(Timestamps.format(end));
    h.setResult(result);
    h.setReason("free-form text that must not become a label");
    return h;
  }

  private static CheckStatus check(String name, Instant lastFailure) {
    CheckStatus c = new CheckStatus();
    c.setName(name);
    c.setState(lastFailure == null ? CheckState.Passing : CheckState.Failing);
    c.setLastCountedFailureTime(Timestamps.format(lastFailure));
    return c;
  }

  /** v1 deployed, v2 deployed and failed verification (http tripped), rolled back to v1. */
  static StagingReleaseStatus rolledBack(Instant t) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.RolledBack);
    s.setCurrent(rev("v1aaaaaaaa"));
    s.getHistory().add(entry(ActionKind.Rollback, Trigger.VerificationFailed, t.plusSeconds(20), t.plusSeconds(27),
        Result.Succeeded));
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, t.plusSeconds(10), t.plusSeconds(20), Result.Failed));
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, t, t.plusSeconds(4), Result.Succeeded));
    // As the decider names them: on the deploy the trip failed and on the rollback it started.
    s.getHistory().get(0).setTrippedChecks(List.of("http"));
    s.getHistory().get(1).setTrippedChecks(List.of("http"));
    RollbackReport report = new RollbackReport();
    report.setTrigger(Trigger.VerificationFailed);
    report.setDetectionTime(Timestamps.format(t.plusMillis(18_500)));
    report.setStartTime(Timestamps.format(t.plusSeconds(20)));
    report.setRollbackSeconds(3.0);
    report.setRecoverySeconds(8.5);
    report.setTrippedChecks(List.of("http"));
    report.setResult(Result.Succeeded);
    s.setLastRollback(report);
    // The rollback's start reset every check: the tripping failure shows only in trippedChecks.
    s.getChecks().add(check("http", null));
    s.getChecks().add(check("services", null));
    return s;
  }

  /** v2 being verified, its http check failing once (of two needed to trip). */
  static StagingReleaseStatus verifying(Instant t) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Verifying);
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, t.plusSeconds(10), null, Result.InProgress));
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, t, t.plusSeconds(4), Result.Succeeded));
    s.getChecks().add(check("http", t.plusSeconds(17)));
    s.getChecks().add(check("services", null));
    return s;
  }

  @Test
  void composeTurnsShowTheBoundAndWhatRunsAndWaitsNow() {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0));
    int[] now = {1, 3};
    metrics.composeTurns(1, () -> now[0], () -> now[1]);
    assertThat(metrics.scrape()).contains("backstop_compose_concurrency_limit 1.0")
        .contains("backstop_compose_runs{state=\"running\"} 1.0")
        .contains("backstop_compose_runs{state=\"waiting\"} 3.0");
    now[1] = 0;
    assertThat(metrics.scrape()).contains("backstop_compose_runs{state=\"waiting\"} 0.0");
  }

  @Test
  void apiReadsLandInMillisecondBuckets() {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0));
    metrics.apiRead(Duration.ofMillis(3));
    metrics.apiRead(Duration.ofMillis(70));
    String scrape = metrics.scrape();
    assertThat(scrape).contains("backstop_api_read_seconds_bucket{le=\"0.005\"} 1")
        .contains("backstop_api_read_seconds_bucket{le=\"0.05\"} 1")
        .contains("backstop_api_read_seconds_bucket{le=\"0.1\"} 2")
        .contains("backstop_api_read_seconds_count 2");
  }

  @Test
  void aDeployIsCountedOnceWhenItEndsWithItsDuration() {
    TestClock clock = new TestClock(T0);
    ReleaseMetrics metrics = new ReleaseMetrics(clock);
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Deploying);
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, T0, null, Result.InProgress));
    metrics.status(SHOP, s);
    String before = metrics.scrape();
    assertThat(value(before, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Succeeded\"}")).isZero();

    clock.advance(Duration.ofSeconds(4));
    s.setPhase(Phase.Healthy);
    s.getHistory().get(0).setResult(Result.Succeeded);
    s.getHistory().get(0).setEndTime(Timestamps.format(T0.plusMillis(3_500)));
    metrics.status(SHOP, s);
    metrics.status(SHOP, s);

    String scrape = metrics.scrape();
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Succeeded\"}")).isEqualTo(1.0);
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Failed\"}")).isZero();
    assertThat(value(scrape, "backstop_deploy_duration_seconds_count{result=\"Succeeded\"}")).isEqualTo(1.0);
    assertThat(value(scrape, "backstop_deploy_duration_seconds_sum{result=\"Succeeded\"}")).isEqualTo(3.5);
    assertThat(value(scrape, "backstop_deploy_duration_seconds_bucket{result=\"Succeeded\",le=\"2.0\"}")).isZero();
    assertThat(value(scrape, "backstop_deploy_duration_seconds_bucket{result=\"Succeeded\",le=\"5.0\"}")).isEqualTo(1.0);
    assertThat(scrape).doesNotContain("free-form");
  }

  @Test
  void anAutomaticRollbackCountsItsTriggerResultLatenciesAndTheFailuresOfItsTrippedCheck() {
    TestClock clock = new TestClock(T0.minusSeconds(5));
    ReleaseMetrics metrics = new ReleaseMetrics(clock);
    metrics.status(SHOP, verifying(T0));
    metrics.status(SHOP, verifying(T0));
    clock.advance(Duration.ofSeconds(40));
    metrics.status(SHOP, rolledBack(T0));
    metrics.status(SHOP, rolledBack(T0));

    String scrape = metrics.scrape();
    assertThat(value(scrape,
        "backstop_rollbacks_total{" + SHOP_SERIES + ",result=\"Succeeded\",trigger=\"VerificationFailed\"}"))
        .isEqualTo(1.0);
    assertThat(value(scrape,
        "backstop_rollbacks_total{" + SHOP_SERIES + ",result=\"Failed\",trigger=\"VerificationFailed\"}")).isZero();
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Failed\"}")).isEqualTo(1.0);
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Succeeded\"}")).isEqualTo(1.0);
    assertThat(value(scrape, "backstop_rollback_duration_seconds_sum{trigger=\"VerificationFailed\"}")).isEqualTo(3.0);
    assertThat(value(scrape, "backstop_failure_detection_seconds_sum{trigger=\"VerificationFailed\"}")).isEqualTo(1.5);
    assertThat(value(scrape, "backstop_failure_detection_seconds_bucket{trigger=\"VerificationFailed\",le=\"1.0\"}"))
        .isZero();
    assertThat(value(scrape, "backstop_failure_detection_seconds_bucket{trigger=\"VerificationFailed\",le=\"2.0\"}"))
        .isEqualTo(1.0);
    assertThat(value(scrape, "backstop_recovery_seconds_sum{trigger=\"VerificationFailed\"}")).isEqualTo(8.5);
    assertThat(value(scrape, "backstop_recovery_seconds_count{trigger=\"HealthCheck\"}")).isZero();
    assertThat(value(scrape, "backstop_health_check_failures_total{check=\"http\"," + SHOP_SERIES + "}"))
        .isEqualTo(2.0);
    assertThat(value(scrape, "backstop_health_check_failures_total{check=\"services\"," + SHOP_SERIES + "}")).isZero();
  }

  @Test
  void aRestartReReadingTheSameStatusCountsNothingTwice() {
    StagingReleaseStatus s = rolledBack(T0);
    ReleaseMetrics first = new ReleaseMetrics(new TestClock(T0.minusSeconds(5)));
    first.status(SHOP, s);
    assertThat(value(first.scrape(), "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Failed\"}")).isEqualTo(1.0);

    // The next process starts a minute later and is first fed the status the old one wrote.
    TestClock clock = new TestClock(T0.plusSeconds(90));
    ReleaseMetrics restarted = new ReleaseMetrics(clock);
    restarted.status(SHOP, s);
    restarted.status(SHOP, rolledBack(T0));
    String scrape = restarted.scrape();
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Failed\"}")).isZero();
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Succeeded\"}")).isZero();
    assertThat(value(scrape,
        "backstop_rollbacks_total{" + SHOP_SERIES + ",result=\"Succeeded\",trigger=\"VerificationFailed\"}")).isZero();
    assertThat(value(scrape, "backstop_recovery_seconds_count{trigger=\"VerificationFailed\"}")).isZero();
    assertThat(value(scrape, "backstop_health_check_failures_total{check=\"http\"," + SHOP_SERIES + "}")).isZero();

    // What ends under the new process is counted: a manual rollback, and a new failure of http.
    clock.advance(Duration.ofSeconds(30));
    StagingReleaseStatus later = rolledBack(T0);
    later.getHistory().add(0, entry(ActionKind.Rollback, Trigger.Manual, clock.now.minusSeconds(5),
        clock.now.minusSeconds(1), Result.Failed));
    later.getChecks().get(0).setLastCountedFailureTime(Timestamps.format(clock.now.minusSeconds(2)));
    restarted.status(SHOP, later);
    restarted.status(SHOP, later);
    scrape = restarted.scrape();
    assertThat(value(scrape, "backstop_rollbacks_total{" + SHOP_SERIES + ",result=\"Failed\",trigger=\"Manual\"}"))
        .isEqualTo(1.0);
    assertThat(value(scrape, "backstop_deploys_total{" + SHOP_SERIES + ",result=\"Failed\"}")).isZero();
    assertThat(value(scrape, "backstop_health_check_failures_total{check=\"http\"," + SHOP_SERIES + "}"))
        .isEqualTo(1.0);
  }

  @Test
  void anEntryTheFirstReconcileAfterARestartFinishesIsCounted() {
    TestClock clock = new TestClock(T0);
    ReleaseMetrics metrics = new ReleaseMetrics(clock);
    clock.advance(Duration.ofSeconds(3));
    StagingReleaseStatus s = new StagingReleaseStatus();
    // Started by the old process, verified by this one a few milliseconds before the status is fed.
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, T0.minusSeconds(20), clock.now.minusMillis(40),
        Result.Succeeded));
    s.getHistory().add(entry(ActionKind.Deploy, Trigger.SpecChange, T0.minusSeconds(90), T0.minusSeconds(60),
        Result.Succeeded));
    metrics.status("shop", s);
    assertThat(value(metrics.scrape(), "backstop_deploys_total{namespace=\"default\",release=\"shop\",result=\"Succeeded\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void releaseInfoKeepsOneSeriesPerReleaseAsPhaseAndCommitChange() {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0));
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Deploying);
    metrics.status(SHOP, s);
    assertThat(infoLines(metrics)).containsExactly(
        "backstop_release_info{commit=\"none\"," + SHOP_SERIES.replace(",release", ",phase=\"Deploying\",release")
            + "} 1");
    s.setPhase(Phase.Healthy);
    s.setCurrent(rev("v1aaaaaaaa"));
    metrics.status(SHOP, s);
    s.setCurrent(rev("v2bbbbbbbb"));
    metrics.status(SHOP, s);
    assertThat(infoLines(metrics)).containsExactly(
        "backstop_release_info{commit=\"v2bbbbbbbb\"," + SHOP_SERIES.replace(",release", ",phase=\"Healthy\",release")
            + "} 1");
  }

  private static List<String> infoLines(ReleaseMetrics metrics) {
    return metrics.scrape().lines().filter(l -> l.startsWith("backstop_release_info{")).toList();
  }

  @Test
  void forgetRemovesEverySeriesOfTheReleaseAndOnlyThose() {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0.minusSeconds(5)));
    metrics.status(SHOP, rolledBack(T0));
    metrics.status("team-b/shop", rolledBack(T0));
    metrics.event(SHOP, new ReleaseEvent(Type.Normal, Kind.BackupTaken, "taken"));
    metrics.probed(SHOP, "http", Duration.ofMillis(30));
    metrics.reconciled(SHOP, Duration.ofMillis(12));
    assertThat(metrics.scrape()).contains(SHOP_SERIES);

    metrics.forget(SHOP);
    metrics.probed(SHOP, "http", Duration.ofMillis(30));

    String scrape = metrics.scrape();
    assertThat(scrape).doesNotContain("namespace=\"team-a\"");
    assertThat(value(scrape, "backstop_release_ready{namespace=\"team-b\",release=\"shop\"}")).isZero();
    assertThat(value(scrape, "backstop_deploys_total{namespace=\"team-b\",release=\"shop\",result=\"Failed\"}"))
        .isEqualTo(1.0);
    // Counted before it was forgotten, in the histograms that carry no release.
    assertThat(value(scrape, "backstop_recovery_seconds_count{trigger=\"VerificationFailed\"}")).isEqualTo(2.0);
  }

  @Test
  void probeDurationsAreHistogramsPerCheck() {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0));
    metrics.probed(SHOP, "http", Duration.ofMillis(30));
    assertThat(metrics.scrape()).as("a release never reported has no series").doesNotContain("team-a");
    metrics.status(SHOP, new StagingReleaseStatus());
    metrics.probed(SHOP, "http", Duration.ofMillis(30));
    metrics.probed(SHOP, "http", Duration.ofMillis(700));
    String scrape = metrics.scrape();
    String series = "backstop_health_check_duration_seconds_bucket{check=\"http\"," + SHOP_SERIES;
    assertThat(value(scrape, series + ",le=\"0.025\"}")).isZero();
    assertThat(value(scrape, series + ",le=\"0.05\"}")).isEqualTo(1.0);
    assertThat(value(scrape, series + ",le=\"1.0\"}")).isEqualTo(2.0);
    assertThat(value(scrape, series + ",le=\"+Inf\"}")).isEqualTo(2.0);
  }

  @Test
  void theScrapePassesPromtoolCheckMetrics() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeThat(promtool).as("promtool (Debian's prometheus package, scripts/install-deps.sh) is installed").exists();
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0.minusSeconds(5)));
    StagingReleaseStatus s = rolledBack(T0);
    metrics.status(SHOP, s);
    metrics.status("local-one", s);
    metrics.event(SHOP, new ReleaseEvent(Type.Normal, Kind.BackupTaken, "taken"));
    metrics.probed(SHOP, "http", Duration.ofMillis(30));
    metrics.reconciled(SHOP, Duration.ofMillis(12));
    String problems = promtoolCheckMetrics(metrics.scrape());
    assertThat(problems).as("promtool check metrics").isEmpty();
  }

  @Test
  void josdkControllerMetricsShareTheScrapeWithHelpTextAndPassPromtool() throws Exception {
    ReleaseMetrics metrics = new ReleaseMetrics(new TestClock(T0));
    Metrics josdk = metrics.controllerMetrics();
    StagingRelease shop = new StagingRelease();
    shop.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("shop").build());
    Map<String, Object> meta = Map.of(Constants.RESOURCE_GVK_KEY, GroupVersionKind.gvkFor(StagingRelease.class),
        Constants.CONTROLLER_NAME, "stagingreleasereconciler");
    // The reconcile figures need a registered controller: ClusterModeIT sees them from the real one.
    josdk.receivedEvent(new Event(ResourceID.fromResource(shop)), meta);

    String scrape = metrics.scrape();
    assertThat(scrape).contains("# HELP operator_sdk_events_received_total JOSDK controller: events received",
        "operator_sdk_events_received_total{");
    // Not per resource: a deleted release leaves no JOSDK series behind.
    assertThat(scrape.lines().filter(l -> l.startsWith("operator_sdk_"))).noneMatch(l -> l.contains("shop"));
    if (Files.exists(Path.of("/usr/bin/promtool"))) {
      assertThat(promtoolCheckMetrics(scrape)).as("promtool check metrics").isEmpty();
    }
  }

  /** What {@code promtool check metrics} says about a scrape; empty when it has nothing to say. */
  static String promtoolCheckMetrics(String scrape) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? out.trim() : "exit " + p.exitValue() + ": " + out;
  }
}
