package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A blocked release records the same status on every reconcile inside its wait. In a cluster every
 * status write is an event that reconciles again, so a status that changed each time (an attempt
 * counter, a timestamp) would reconcile in a loop as fast as the API server answers.
 */
class SteadyBlockedStatusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ReleaseHarness h = new ReleaseHarness();

  // The harness's source reports a fetch on every reconcile (a real one fetches per pollInterval),
  // so lastFetchTime is left out of the comparison.
  private String steady() throws Exception {
    var copy = h.status.copy();
    copy.setLastFetchTime(null);
    return JSON.writeValueAsString(copy);
  }

  @Test
  void anUnreachableEngineCountsOneAttemptPerBackoffNotOnePerReconcile() throws Exception {
    h.settle();
    h.dockerError = new Observation.Problem(Reason.DockerUnavailable, "Cannot connect to the Docker daemon");
    h.reconcile();
    String first = steady();
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofMillis(200)).reconcile();
    }
    assertThat(steady()).as("no new attempt inside the backoff").isEqualTo(first);
    h.advance(Duration.ofSeconds(6)).reconcile();
    assertThat(h.status.getEngineFault().getAttempts()).isEqualTo(2);
  }

  @Test
  void aProblemThatIsNotTheEnginesIsNoEngineFaultAndLeavesTheStatusAlone() throws Exception {
    h.settle();
    h.dockerError = new Observation.Problem(Reason.SecretNotFound, "Secret 'git' not found");
    h.reconcile();
    String first = steady();
    assertThat(h.status.getEngineFault()).isNull();
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofMillis(200)).reconcile();
    }
    assertThat(steady()).isEqualTo(first);
  }
}
