package dev.backstop.operator.metrics;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Timestamps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Prometheus meters for releases: readiness, phase, rollbacks, reconcile time. */
public final class ReleaseMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, StagingReleaseStatus> latest = new ConcurrentHashMap<>();

  /** Records the newest status of a release; gauges read it. */
  public void status(String release, StagingReleaseStatus status) {
    if (latest.put(release, status) == null) {
      Gauge.builder("backstop_release_ready", latest, m -> ready(m.get(release)))
          .description("1 when the release's Ready condition is True")
          .tag("release", release)
          .register(registry);
      for (Phase phase : Phase.values()) {
        Gauge.builder("backstop_release_phase", latest, m -> m.get(release) != null && m.get(release).getPhase() == phase ? 1 : 0)
            .description("1 for the release's current phase")
            .tags("release", release, "phase", phase.name())
            .register(registry);
      }
      Gauge.builder("backstop_release_recovery_seconds", latest, m -> recovery(m.get(release)))
          .description("Detection to recovery of the most recent rollback")
          .tag("release", release)
          .register(registry);
      backupGauges(release);
    }
  }

  /** Counts an event by reason: rollbacks started, succeeded, failed, and the rest. */
  public void event(String release, ReleaseEvent event) {
    Counter.builder("backstop_events_total")
        .description("Release transitions by reason")
        .tags("release", release, "reason", event.reason().name(), "type", event.type().name())
        .register(registry)
        .increment();
    // Events come once per transition, so counting them counts backups and restores exactly once.
    switch (event.reason()) {
      case BackupTaken -> count("backstop_backups_total", "Database backups by result", release, "succeeded");
      case BackupFailed -> count("backstop_backups_total", "Database backups by result", release, "failed");
      case RestoreSucceeded -> count("backstop_restores_total", "Database restores by result", release, "succeeded");
      case RestoreFailed -> count("backstop_restores_total", "Database restores by result", release, "failed");
      default -> {}
    }
  }

  private void count(String name, String description, String release, String result) {
    Counter.builder(name).description(description).tags("release", release, "result", result)
        .register(registry).increment();
  }

  private void backupGauges(String release) {
    Gauge.builder("backstop_backup_last_size_bytes", latest, m -> lastBackup(m.get(release), false))
        .description("Compressed size of the newest backup in status.backups")
        .baseUnit("bytes")
        .tag("release", release)
        .register(registry);
    // Age is computed at scrape time so an alert on a stale backup needs no PromQL arithmetic.
    Gauge.builder("backstop_backup_last_age_seconds", latest, m -> lastBackup(m.get(release), true))
        .description("Seconds since the newest backup in status.backups was taken")
        .tag("release", release)
        .register(registry);
    Gauge.builder("backstop_backups_kept", latest, m -> m.get(release) == null ? 0 : m.get(release).getBackups().size())
        .description("Backups listed in status.backups (kept by retention)")
        .tag("release", release)
        .register(registry);
  }

  private static double lastBackup(StagingReleaseStatus s, boolean age) {
    if (s == null || s.getBackups().isEmpty()) {
      return Double.NaN;
    }
    BackupRecord newest = s.getBackups().get(0);
    if (!age) {
      return newest.getSize() == null ? Double.NaN : newest.getSize();
    }
    Instant taken = Timestamps.parse(newest.getTime());
    return taken == null ? Double.NaN : Duration.between(taken, Instant.now()).toMillis() / 1000.0;
  }

  public void reconciled(String release, Duration took) {
    Timer.builder("backstop_reconcile_seconds").tag("release", release).register(registry).record(took);
  }

  /** A status write that failed, so the reconcile acted on nothing and will retry. */
  public void statusWriteFailed(String release) {
    io.micrometer.core.instrument.Counter.builder("backstop_status_write_failures")
        .description("Status writes that failed; nothing is acted on until the status is recorded")
        .tag("release", release).register(registry).increment();
  }

  /** Removes every meter of a release that is gone, so /metrics lists only releases that exist. */
  public void forget(String release) {
    latest.remove(release);
    registry.getMeters().stream().filter(m -> release.equals(m.getId().getTag("release"))).toList()
        .forEach(registry::remove);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private static double ready(StagingReleaseStatus s) {
    if (s == null) {
      return 0;
    }
    var c = Conditions.find(s.getConditions(), ConditionType.Ready);
    return c != null && c.getStatus() == ConditionStatus.True ? 1 : 0;
  }

  private static double recovery(StagingReleaseStatus s) {
    return s == null || s.getLastRollback() == null || s.getLastRollback().getRecoverySeconds() == null
        ? Double.NaN
        : s.getLastRollback().getRecoverySeconds();
  }
}
