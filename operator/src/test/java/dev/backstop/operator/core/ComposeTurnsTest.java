package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.core.ComposeTurns.Urgency;
import org.junit.jupiter.api.Test;

class ComposeTurnsTest {

  @Test
  void runsUpToTheLimitAndQueuesTheRest() {
    ComposeTurns turns = new ComposeTurns(2);
    assertThat(turns.request(1, Urgency.ROUTINE)).isTrue();
    assertThat(turns.request(2, Urgency.ROUTINE)).isTrue();
    assertThat(turns.request(3, Urgency.ROUTINE)).isFalse();
    assertThat(turns.running()).isEqualTo(2);
    assertThat(turns.waitingCount()).isEqualTo(1);
    assertThat(turns.finished()).containsExactly(3L);
    assertThat(turns.running()).isEqualTo(2);
    assertThat(turns.waitingCount()).isZero();
  }

  @Test
  void aRollbackGoesBeforeEveryQueuedDeploy() {
    ComposeTurns turns = new ComposeTurns(1);
    assertThat(turns.request(1, Urgency.ROUTINE)).isTrue();
    for (long deploy = 2; deploy <= 10; deploy++) {
      assertThat(turns.request(deploy, Urgency.ROUTINE)).isFalse();
    }
    assertThat(turns.request(11, Urgency.ROLLBACK)).isFalse();
    assertThat(turns.finished()).containsExactly(11L);
    // Then the deploys in the order they came.
    assertThat(turns.finished()).containsExactly(2L);
    assertThat(turns.finished()).containsExactly(3L);
  }

  @Test
  void anEmergencyRollbackNeverWaits() {
    ComposeTurns turns = new ComposeTurns(1);
    assertThat(turns.request(1, Urgency.ROUTINE)).isTrue();
    assertThat(turns.request(2, Urgency.ROLLBACK)).isFalse();
    assertThat(turns.request(3, Urgency.EMERGENCY)).isTrue();
    assertThat(turns.running()).isEqualTo(2);
    // Over the limit until runs end: the rollback starts once running is below it again.
    assertThat(turns.finished()).isEmpty();
    assertThat(turns.finished()).containsExactly(2L);
  }

  @Test
  void aNewcomerDoesNotOvertakeTheQueueWhenATurnFrees() {
    ComposeTurns turns = new ComposeTurns(1);
    turns.request(1, Urgency.ROUTINE);
    turns.request(2, Urgency.ROUTINE);
    assertThat(turns.finished()).containsExactly(2L);
    assertThat(turns.request(3, Urgency.ROUTINE)).isFalse();
  }

  @Test
  void aCancelledWaiterLeavesTheQueue() {
    ComposeTurns turns = new ComposeTurns(1);
    turns.request(1, Urgency.ROUTINE);
    turns.request(2, Urgency.ROLLBACK);
    turns.request(3, Urgency.ROUTINE);
    assertThat(turns.cancel(2)).isTrue();
    assertThat(turns.cancel(2)).isFalse();
    assertThat(turns.finished()).containsExactly(3L);
  }

  @Test
  void noLimitNeverQueues() {
    ComposeTurns turns = new ComposeTurns(0);
    for (long t = 1; t <= 100; t++) {
      assertThat(turns.request(t, Urgency.ROUTINE)).isTrue();
    }
    assertThat(turns.running()).isEqualTo(100);
  }

  @Test
  void urgencyOfEachApplyKind() {
    assertThat(Urgency.of(ActionKind.EmergencyRollback)).isEqualTo(Urgency.EMERGENCY);
    assertThat(Urgency.of(ActionKind.Rollback)).isEqualTo(Urgency.ROLLBACK);
    assertThat(Urgency.of(ActionKind.Deploy)).isEqualTo(Urgency.ROUTINE);
    assertThat(Urgency.of(null)).isEqualTo(Urgency.ROUTINE);
  }
}
