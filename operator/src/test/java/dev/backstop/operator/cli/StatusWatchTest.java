package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusWatchTest {

  private final Instant t0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void tableOnceThenARowPerChangeAndNoneForAgeAlone() {
    StatusWatch watch = new StatusWatch(false);
    assertThat(watch.lines(Map.of(), t0)).isEmpty();

    List<String> first = watch.lines(Map.of("demo", status(Phase.Deploying, ConditionStatus.False)), t0);
    assertThat(first).hasSize(2);
    assertThat(first.get(0)).startsWith("NAME").contains("PHASE", "READY", "AGE");
    assertThat(first.get(1)).startsWith("demo").contains("Deploying", "False");

    assertThat(watch.lines(Map.of("demo", status(Phase.Deploying, ConditionStatus.False)), t0.plusSeconds(90)))
        .as("only the age moved").isEmpty();

    List<String> healthy = watch.lines(Map.of("demo", status(Phase.Healthy, ConditionStatus.True)), t0.plusSeconds(95));
    assertThat(healthy).singleElement().satisfies(l -> assertThat(l).startsWith("demo").contains("Healthy", "True"));
    // Columns line up with the header, as in kubectl get -w.
    assertThat(healthy.get(0).indexOf("Healthy")).isEqualTo(first.get(0).indexOf("PHASE"));

    assertThat(watch.lines(Map.of(), t0.plusSeconds(100))).singleElement()
        .satisfies(l -> assertThat(l).startsWith("demo").contains("gone"));
  }

  private StagingReleaseStatus status(Phase phase, ConditionStatus ready) {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(phase);
    Condition c = new Condition();
    c.setType(ConditionType.Ready);
    c.setStatus(ready);
    c.setReason(ready == ConditionStatus.True ? Reason.values()[0] : Reason.values()[1]);
    c.setLastTransitionTime(t0.toString());
    s.getConditions().add(c);
    return s;
  }
}
