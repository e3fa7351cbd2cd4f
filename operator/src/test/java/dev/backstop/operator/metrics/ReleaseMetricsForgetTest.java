package dev.backstop.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReleaseMetricsForgetTest {

  @Test
  void aForgottenReleaseLeavesNoMeterAndOthersKeepTheirs() {
    ReleaseMetrics metrics = new ReleaseMetrics();
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Healthy);
    metrics.status("ns/gone", s);
    metrics.status("ns/kept", s);
    metrics.reconciled("ns/gone", Duration.ofMillis(5));
    metrics.statusWriteFailed("ns/gone");
    assertThat(metrics.scrape()).contains("release=\"ns/gone\"");

    metrics.forget("ns/gone");

    assertThat(metrics.scrape()).doesNotContain("ns/gone").contains("release=\"ns/kept\"");
    // Coming back registers its gauges again.
    metrics.status("ns/gone", s);
    assertThat(metrics.scrape()).contains("backstop_release_ready{release=\"ns/gone\"}");
  }
}
