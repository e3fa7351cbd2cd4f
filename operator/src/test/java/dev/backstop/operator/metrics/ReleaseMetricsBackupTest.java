package dev.backstop.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.ReleaseEvent.Kind;
import dev.backstop.operator.core.ReleaseEvent.Type;
import dev.backstop.operator.core.Timestamps;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReleaseMetricsBackupTest {

  private static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .orElseThrow(() -> new AssertionError(series + " not in\n" + scrape));
  }

  @Test
  void backupsAndRestoresAreCountedByResultWithTheNewestBackupsSizeAndAge() {
    ReleaseMetrics metrics = new ReleaseMetrics();
    StagingReleaseStatus status = new StagingReleaseStatus();
    BackupRecord newest = new BackupRecord();
    newest.setName("20261126-100001-1111111");
    newest.setSize(4096L);
    newest.setTime(Timestamps.format(Instant.now().minusSeconds(120)));
    BackupRecord older = new BackupRecord();
    older.setName("20261125-100001-1111111");
    older.setSize(1L);
    status.getBackups().add(newest);
    status.getBackups().add(older);
    metrics.status("shop", status);

    metrics.event("shop", new ReleaseEvent(Type.Normal, Kind.BackupTaken, "taken"));
    metrics.event("shop", new ReleaseEvent(Type.Normal, Kind.BackupTaken, "taken"));
    metrics.event("shop", new ReleaseEvent(Type.Warning, Kind.BackupFailed, "failed"));
    metrics.event("shop", new ReleaseEvent(Type.Normal, Kind.RestoreSucceeded, "restored"));
    metrics.event("shop", new ReleaseEvent(Type.Normal, Kind.DeployStarted, "not a backup"));

    String scrape = metrics.scrape();
    assertThat(value(scrape, "backstop_backups_total{namespace=\"default\",release=\"shop\",result=\"succeeded\"}")).isEqualTo(2.0);
    assertThat(value(scrape, "backstop_backups_total{namespace=\"default\",release=\"shop\",result=\"failed\"}")).isEqualTo(1.0);
    assertThat(value(scrape, "backstop_restores_total{namespace=\"default\",release=\"shop\",result=\"succeeded\"}")).isEqualTo(1.0);
    assertThat(scrape).doesNotContain("backstop_restores_total{namespace=\"default\",release=\"shop\",result=\"failed\"}");
    assertThat(value(scrape, "backstop_backup_last_size_bytes{namespace=\"default\",release=\"shop\"}")).isEqualTo(4096.0);
    assertThat(value(scrape, "backstop_backup_last_age_seconds{namespace=\"default\",release=\"shop\"}")).isBetween(119.0, 600.0);
    assertThat(value(scrape, "backstop_backups_kept{namespace=\"default\",release=\"shop\"}")).isEqualTo(2.0);
  }
}
