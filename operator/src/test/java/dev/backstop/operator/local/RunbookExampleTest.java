package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.InvalidCheck;
import dev.backstop.operator.core.checks.ResponseTimeCheck;
import dev.backstop.operator.core.checks.SampleErrorRateCheck;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/staging-runbook-thresholds.yaml loads, and says what the runbook says. */
class RunbookExampleTest {

  @TempDir Path dir;

  @Test
  void theRunbookExampleIsValidAndCarriesItsThresholds() throws Exception {
    Files.copy(Path.of("../examples/staging-runbook-thresholds.yaml"), dir.resolve("staging.yaml"));
    ManifestSet set = new ManifestLoader(dir).load();
    assertThat(set.problems()).isEmpty();
    StagingRelease release = set.releases().get(0);
    ReleaseSettings s = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());

    assertThat(s.checks()).allSatisfy(c -> assertThat(c).as(c.name()).isNotInstanceOf(InvalidCheck.class));
    assertThat(((ResponseTimeCheck) s.check("response_time")).limit()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.check("response_time").consecutiveFailures()).isEqualTo(3);
    assertThat(((SampleErrorRateCheck) s.check("error_rate")).limit()).isEqualTo(0.05);
    assertThat(s.check("error_rate").consecutiveFailures()).isEqualTo(2);
    assertThat(((ServiceHealthCheck) s.check("service_health")).minimum()).isEqualTo(1.0);
    assertThat(s.check("service_health").consecutiveFailures()).isEqualTo(1);
    assertThat(s.stableFor()).isEqualTo(Duration.ofMinutes(1));
  }
}
