package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A steady, healthy release produces the same status at every reconcile, however often it is
 * probed and however its measured values wobble, so the drivers write nothing; any change of
 * outcome still shows at once and still counts.
 */
class SteadyStatusTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reconciles through the pure core as the engine does, with probe results as the background
   * monitor delivers them: a new probe time and a new measured value every time.
   */
  private static final class Probed {
    final ReleaseHarness h = new ReleaseHarness();
    final ReleaseDecider decider = new ReleaseDecider();
    StagingReleaseStatus status;
    Decision last;
    Outcome next = Outcome.PASS;
    int probe;
    boolean fetch = true;
    Instant now = h.now;

    Probed() {
      // Three failures to trip, so a single failure shows as Failing.
      HealthCheckSpec services = new HealthCheckSpec();
      services.setName("services");
      services.setType(CheckType.SERVICE_HEALTH);
      services.setConsecutiveFailures(3);
      h.spec.getHealth().setChecks(List.of(services));
    }

    Probed advance(Duration d) {
      now = now.plus(d);
      return this;
    }

    void reconcile() {
      probe++;
      CheckResult result = new CheckResult("services", next, probe + " ms",
          "probe " + probe + " answered in " + probe + " ms", List.of(), now);
      Observation obs = new Observation(h.generation, SourceState.resolved(ReleaseHarness.V1, fetch), List.of(),
          List.of(result), null, Map.of());
      last = decider.decide(TestSettings.of("demo", h.spec), status, obs, now);
      status = last.status();
      if (last.action() instanceof Action.Apply apply) {
        now = now.plusMillis(500);
        last = decider.complete(TestSettings.of("demo", h.spec), status, apply, ApplyOutcome.success(), obs, now);
        status = last.status();
      }
    }

    void settle() {
      for (int i = 0; i < 100 && status == null || status.getOperation() != null; i++) {
        reconcile();
        advance(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void manyReconcilesOfASteadyHealthyReleaseLeaveStatusByteForByteUnchanged() throws Exception {
    Probed h = new Probed();
    h.settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    h.fetch = false;
    h.advance(Duration.ofSeconds(5)).reconcile();
    String steady = JSON.writeValueAsString(h.status);
    for (int i = 0; i < 50; i++) {
      h.advance(Duration.ofSeconds(5)).reconcile();
      assertThat(JSON.writeValueAsString(h.status)).as("status after steady reconcile %d", i).isEqualTo(steady);
    }
    assertThat(h.last.requeueAfter()).isPositive();
  }

  @Test
  void aFailureAfterTheSteadyStateShowsAndCountsEachNewProbe() {
    Probed h = new Probed();
    h.settle();
    h.fetch = false;
    h.advance(Duration.ofSeconds(5)).reconcile();
    CheckStatus passing = check(h);
    assertThat(passing.getState()).isEqualTo(CheckState.Passing);
    Instant failedAt = h.advance(Duration.ofSeconds(5)).now;
    h.next = Outcome.FAIL;
    h.reconcile();
    CheckStatus failing = check(h);
    assertThat(failing.getState()).isEqualTo(CheckState.Failing);
    assertThat(failing.getConsecutiveFailures()).isEqualTo(1);
    assertThat(failing.getMessage()).isEqualTo("probe " + h.probe + " answered in " + h.probe + " ms");
    assertThat(failing.getLastTransitionTime()).isEqualTo(Timestamps.format(failedAt))
        .isNotEqualTo(passing.getLastTransitionTime());
    h.advance(Duration.ofSeconds(5)).reconcile();
    CheckStatus second = check(h);
    assertThat(second.getConsecutiveFailures()).isEqualTo(2);
    // Another failure counted: its own value and message, the state's start unchanged.
    assertThat(second.getLastValue()).isEqualTo(h.probe + " ms");
    assertThat(second.getLastTransitionTime()).isEqualTo(failing.getLastTransitionTime());
  }

  private static CheckStatus check(Probed h) {
    return h.status.getChecks().stream().filter(c -> c.getName().equals("services")).findFirst().orElseThrow();
  }
}
