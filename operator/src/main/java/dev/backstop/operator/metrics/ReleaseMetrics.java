package dev.backstop.operator.metrics;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Timestamps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus meters for releases, all derived from the statuses, events and probe timings the
 * drivers report: deploys and rollbacks with their durations, detection and recovery latency,
 * per-check figures, readiness, phase and backups.
 */
public final class ReleaseMetrics {

  /** Rollback triggers, pre-registered at zero so that rate() sees the first rollback of each. */
  static final List<Trigger> ROLLBACK_TRIGGERS = List.of(
      Trigger.HealthCheck, Trigger.VerificationFailed, Trigger.ApplyFailed, Trigger.Manual, Trigger.Emergency);
  static final List<Result> OUTCOMES = List.of(Result.Succeeded, Result.Failed);

  // Seconds: from a fast automatic rollback to well past the runbook's 10 minute recovery target,
  // so that a slow recovery lands in a bucket of its own instead of only in +Inf.
  static final Duration[] ACTION_BUCKETS = seconds(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800);
  static final Duration[] PROBE_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

  private static final String JOSDK_PREFIX = "operator.sdk.";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Clock clock;
  private final Instant started;
  private final Map<ReleaseKey, Tracked> releases = new ConcurrentHashMap<>();
  // Micrometer's naming drops an "_info" suffix; the Prometheus client's Info keeps it.
  private final Info info = Info.builder().name("backstop_release_info")
      .help("1 for each release, labelled with its phase and the commit it runs")
      .labelNames("namespace", "release", "phase", "commit")
      .register(registry.getPrometheusRegistry());

  public ReleaseMetrics() {
    this(Clock.systemUTC());
  }

  /** Meters on {@code clock}: what ended before this instance existed was counted by an earlier process. */
  public ReleaseMetrics(Clock clock) {
    this.clock = clock;
    this.started = clock.instant();
    // JOSDK's meters have no description, and Prometheus users (and promtool) expect help text.
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null || !id.getName().startsWith(JOSDK_PREFIX)) {
          return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
            "JOSDK controller: " + id.getName().substring(JOSDK_PREFIX.length()).replace('.', ' '), id.getType());
      }
    });
    for (Result result : OUTCOMES) {
      deployDuration(result);
    }
    for (Trigger trigger : ROLLBACK_TRIGGERS) {
      rollbackDuration(trigger);
      detection(trigger);
      recovery(trigger);
    }
    for (String result : WEBHOOK_RESULTS) {
      webhookDeliveries(result);
    }
  }

  /** How webhook deliveries ended: delivered, failed (every retry) or dropped (queue full). */
  static final List<String> WEBHOOK_RESULTS = List.of("delivered", "failed", "dropped");

  /** Counts a webhook delivery that ended with {@code result} (one of delivered, failed, dropped). */
  public void webhookDelivery(String result) {
    webhookDeliveries(result).increment();
  }

  private Counter webhookDeliveries(String result) {
    return Counter.builder("backstop_webhook_deliveries_total")
        .description("Webhook deliveries (spec.notify.webhooks) that ended: delivered, failed after every retry,"
            + " or dropped because too many were outstanding")
        .tag("result", result).register(registry);
  }

  /** One release's newest status and what of it has been counted. */
  private final class Tracked {
    final ReleaseKey key;
    final CountedLedger ledger;
    volatile StagingReleaseStatus status;
    String[] infoLabels;

    Tracked(ReleaseKey key) {
      this.key = key;
      this.ledger = new CountedLedger(started, clock.instant());
    }

    Tags tags() {
      return Tags.of("namespace", key.namespace(), "release", key.name());
    }
  }

  /** Records the newest status of a release: gauges read it, finished history entries are counted once. */
  public void status(String release, StagingReleaseStatus status) {
    ReleaseKey key = ReleaseKey.of(release);
    Tracked t = releases.computeIfAbsent(key, k -> register(new Tracked(k)));
    synchronized (t) {
      t.status = status;
      info(t, status);
      for (HistoryEntry h : t.ledger.newlyFinished(status)) {
        finished(t, h, status.getLastRollback());
      }
      for (String check : t.ledger.newFailures(status)) {
        checkFailures(t, check).increment();
      }
      for (String check : t.ledger.newTrips(status)) {
        checkFailures(t, check).increment();
      }
      // At zero from the first sight of a check, so that rate() sees its first failure.
      status.getChecks().forEach(c -> {
        if (c.getName() != null) {
          checkFailures(t, c.getName());
        }
      });
    }
  }

  /** Counts an event by reason: rollbacks started, succeeded, failed, and the rest. */
  public void event(String release, ReleaseEvent event) {
    ReleaseKey k = ReleaseKey.of(release);
    Tags tags = Tags.of("namespace", k.namespace(), "release", k.name());
    Counter.builder("backstop_events_total")
        .description("Release transitions by reason")
        .tags(tags).tags("reason", event.reason().name(), "type", event.type().name())
        .register(registry)
        .increment();
    // Events come once per transition, so counting them counts backups and restores exactly once.
    switch (event.reason()) {
      case BackupTaken -> count("backstop_backups_total", "Database backups by result", tags, "succeeded");
      case BackupFailed -> count("backstop_backups_total", "Database backups by result", tags, "failed");
      case RestoreSucceeded -> count("backstop_restores_total", "Database restores by result", tags, "succeeded");
      case RestoreFailed -> count("backstop_restores_total", "Database restores by result", tags, "failed");
      default -> {}
    }
  }

  /** Times one probe of a check; {@code release} is the health monitor's namespace/name key. */
  public void probed(String release, String check, Duration took) {
    Tracked t = releases.get(ReleaseKey.of(release));
    // A probe still in flight when its release was forgotten must not bring its series back.
    if (t != null) {
      Timer.builder("backstop_health_check_duration_seconds")
          .description("Time one probe of a health check took (http, exec, prometheus checks)")
          .tags(t.tags()).tag("check", check)
          .serviceLevelObjectives(PROBE_BUCKETS)
          .register(registry)
          .record(took);
    }
  }

  /** Time spent in one reconcile of a release. */
  public void reconciled(String release, Duration took) {
    ReleaseKey k = ReleaseKey.of(release);
    Timer.builder("backstop_reconcile_seconds")
        .description("Time one reconcile of a release took: observe, decide, act and record")
        .tags("namespace", k.namespace(), "release", k.name())
        .register(registry)
        .record(took);
  }

  // Seconds: a read served from rendered views takes a few milliseconds; a dashboard notices 0.1 s.
  static final Duration[] API_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);

  /** Times one answer of GET /api/v1/releases[/NAME], from its handler's start to its last byte written. */
  public void apiRead(Duration took) {
    Timer.builder("backstop_api_read_seconds")
        .description("Time the daemon took to answer one GET /api/v1/releases[/NAME], handler start to last byte")
        .serviceLevelObjectives(API_BUCKETS)
        .register(registry)
        .record(took);
  }

  /**
   * The bound on compose runs that change containers (--compose-concurrency, 0 for none) and how
   * many run and wait now, summed over engines.
   */
  public void composeTurns(int limit, java.util.function.IntSupplier running, java.util.function.IntSupplier waiting) {
    Gauge.builder("backstop_compose_concurrency_limit", () -> limit)
        .description("Compose runs that change containers allowed at once per Docker engine (0: no bound)")
        .register(registry);
    Gauge.builder("backstop_compose_runs", running::getAsInt)
        .description("Compose runs that change containers, by state, summed over engines")
        .tag("state", "running").register(registry);
    Gauge.builder("backstop_compose_runs", waiting::getAsInt)
        .description("Compose runs that change containers, by state, summed over engines")
        .tag("state", "waiting").register(registry);
  }

  /** A status write that failed, so the reconcile acted on nothing and will retry. */
  public void statusWriteFailed(String release) {
    ReleaseKey k = ReleaseKey.of(release);
    Counter.builder("backstop_status_write_failures")
        .description("Status writes that failed; nothing is acted on until the status is recorded")
        .tags("namespace", k.namespace(), "release", k.name())
        .register(registry)
        .increment();
  }

  /** Removes every series of a release that is gone (its manifest or resource was deleted). */
  public void forget(String release) {
    ReleaseKey key = ReleaseKey.of(release);
    Tracked t = releases.remove(key);
    if (t != null) {
      synchronized (t) {
        if (t.infoLabels != null) {
          info.remove(t.infoLabels);
        }
      }
    }
    for (Meter m : registry.getMeters()) {
      if (key.namespace().equals(m.getId().getTag("namespace")) && key.name().equals(m.getId().getTag("release"))) {
        registry.remove(m);
      }
    }
  }

  /**
   * JOSDK's controller metrics (events received, reconciliations started, succeeded, failed and
   * retried, executions in flight, queue size) in this registry, so that they share /metrics. Not
   * per resource: release-level figures are the backstop_* meters, and per-resource JOSDK series
   * would outlive deleted releases.
   */
  public Metrics controllerMetrics() {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private void finished(Tracked t, HistoryEntry h, RollbackReport report) {
    String result = h.getResult().name();
    Double took = Timestamps.secondsBetween(h.getStartTime(), h.getEndTime());
    if (h.getAction() == ActionKind.Deploy) {
      Counter.builder("backstop_deploys_total").description("Deploys of a new commit that ended, by result")
          .tags(t.tags()).tag("result", result).register(registry).increment();
      if (took != null) {
        deployDuration(h.getResult()).record(Duration.ofMillis(Math.round(took * 1000)));
      }
      return;
    }
    if (h.getAction() != ActionKind.Rollback && h.getAction() != ActionKind.EmergencyRollback) {
      return;
    }
    // The decider always names a rollback's trigger; an entry written without one was a request.
    Trigger trigger = h.getTrigger() == null ? Trigger.Manual : h.getTrigger();
    rollbacks(t, trigger, h.getResult()).increment();
    // The report describes the most recent rollback only: use it when it is this entry's.
    if (report == null || report.getStartTime() == null || !report.getStartTime().equals(h.getStartTime())) {
      return;
    }
    record(rollbackDuration(trigger), report.getRollbackSeconds());
    record(detection(trigger), Timestamps.secondsBetween(report.getDetectionTime(), report.getStartTime()));
    if (h.getResult() == Result.Succeeded) {
      record(recovery(trigger), report.getRecoverySeconds());
    }
  }

  private static void record(Timer timer, Double seconds) {
    if (seconds != null && seconds >= 0) {
      timer.record(Duration.ofMillis(Math.round(seconds * 1000)));
    }
  }

  private Tracked register(Tracked t) {
    Tags tags = t.tags();
    Gauge.builder("backstop_release_ready", t, x -> ready(x.status))
        .description("1 when the release's Ready condition is True")
        .tags(tags).strongReference(true).register(registry);
    for (Phase phase : Phase.values()) {
      Gauge.builder("backstop_release_phase", t, x -> x.status != null && x.status.getPhase() == phase ? 1 : 0)
          .description("1 for the release's current phase")
          .tags(tags).tag("phase", phase.name()).strongReference(true).register(registry);
    }
    Gauge.builder("backstop_release_recovery_seconds", t, x -> recoverySeconds(x.status))
        .description("Detection to recovery of the most recent rollback")
        .baseUnit("seconds").tags(tags).strongReference(true).register(registry);
    Gauge.builder("backstop_backup_last_size_bytes", t, x -> lastBackup(x.status, false))
        .description("Compressed size of the newest backup in status.backups")
        .baseUnit("bytes").tags(tags).strongReference(true).register(registry);
    // Age is computed at scrape time so an alert on a stale backup needs no PromQL arithmetic.
    Gauge.builder("backstop_backup_last_age_seconds", t, x -> lastBackup(x.status, true))
        .description("Seconds since the newest backup in status.backups was taken")
        .baseUnit("seconds").tags(tags).strongReference(true).register(registry);
    Gauge.builder("backstop_backups_kept", t, x -> x.status == null ? 0 : x.status.getBackups().size())
        .description("Backups listed in status.backups (kept by retention)")
        .tags(tags).strongReference(true).register(registry);
    // At zero from the start: a counter that appears at 1 hides its first increase from rate().
    for (Result result : OUTCOMES) {
      Counter.builder("backstop_deploys_total").description("Deploys of a new commit that ended, by result")
          .tags(tags).tag("result", result.name()).register(registry);
      for (Trigger trigger : ROLLBACK_TRIGGERS) {
        rollbacks(t, trigger, result);
      }
    }
    return t;
  }

  /** One series per release: the old one goes when the phase or the running commit changes. */
  private void info(Tracked t, StagingReleaseStatus s) {
    String phase = s.getPhase() == null ? "Unknown" : s.getPhase().name();
    String commit = s.getCurrent() == null || s.getCurrent().getCommit() == null ? "none" : s.getCurrent().getCommit();
    String[] labels = {t.key.namespace(), t.key.name(), phase, commit};
    if (Arrays.equals(labels, t.infoLabels)) {
      return;
    }
    if (t.infoLabels != null) {
      info.remove(t.infoLabels);
    }
    info.addLabelValues(labels);
    t.infoLabels = labels;
  }

  private Counter rollbacks(Tracked t, Trigger trigger, Result result) {
    return Counter.builder("backstop_rollbacks_total")
        .description("Rollbacks (automatic, manual and emergency) that ended, by trigger and result")
        .tags(t.tags()).tags("trigger", trigger.name(), "result", result.name()).register(registry);
  }

  private Counter checkFailures(Tracked t, String check) {
    return Counter.builder("backstop_health_check_failures_total")
        .description("Failures a health check counted toward its consecutiveFailures threshold, the tripping one included")
        .tags(t.tags()).tag("check", check).register(registry);
  }

  private Timer deployDuration(Result result) {
    return Timer.builder("backstop_deploy_duration_seconds")
        .description("Deploy start to its end (verified or failed)")
        .tag("result", result.name()).serviceLevelObjectives(ACTION_BUCKETS).register(registry);
  }

  private Timer rollbackDuration(Trigger trigger) {
    return Timer.builder("backstop_rollback_duration_seconds")
        .description("Rollback start to the last-known-good stack applied (the report's rollbackSeconds)")
        .tag("trigger", trigger.name()).serviceLevelObjectives(ACTION_BUCKETS).register(registry);
  }

  private Timer detection(Trigger trigger) {
    return Timer.builder("backstop_failure_detection_seconds")
        .description("Fault detected to rollback started")
        .tag("trigger", trigger.name()).serviceLevelObjectives(ACTION_BUCKETS).register(registry);
  }

  private Timer recovery(Trigger trigger) {
    return Timer.builder("backstop_recovery_seconds")
        .description("Fault detected to the last-known-good stack passing its checks, per successful rollback")
        .tag("trigger", trigger.name()).serviceLevelObjectives(ACTION_BUCKETS).register(registry);
  }

  private void count(String name, String description, Tags tags, String result) {
    Counter.builder(name).description(description).tags(tags).tag("result", result).register(registry).increment();
  }

  private double lastBackup(StagingReleaseStatus s, boolean age) {
    if (s == null || s.getBackups().isEmpty()) {
      return Double.NaN;
    }
    BackupRecord newest = s.getBackups().get(0);
    if (!age) {
      return newest.getSize() == null ? Double.NaN : newest.getSize();
    }
    Instant taken = Timestamps.parse(newest.getTime());
    return taken == null ? Double.NaN : Duration.between(taken, clock.instant()).toMillis() / 1000.0;
  }

  private static double ready(StagingReleaseStatus s) {
    if (s == null) {
      return 0;
    }
    var c = Conditions.find(s.getConditions(), ConditionType.Ready);
    return c != null && c.getStatus() == ConditionStatus.True ? 1 : 0;
  }

  private static double recoverySeconds(StagingReleaseStatus s) {
    return s == null || s.getLastRollback() == null || s.getLastRollback().getRecoverySeconds() == null
        ? Double.NaN
        : s.getLastRollback().getRecoverySeconds();
  }

  private static Duration[] seconds(double... values) {
    return Arrays.stream(values).mapToObj(v -> Duration.ofNanos(Math.round(v * 1e9))).toArray(Duration[]::new);
  }
}
