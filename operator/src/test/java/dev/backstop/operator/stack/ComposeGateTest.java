package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ComposeTurns.Urgency;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComposeGateTest {

  private static final DockerEndpoint LOCAL = DockerEndpoint.LOCAL;
  private static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  void aRollbackTakesTheNextTurnBeforeADeployThatWaitedLonger() throws Exception {
    ComposeGate gate = new ComposeGate(1);
    List<String> order = new CopyOnWriteArrayList<>();
    ComposeGate.Turn first = gate.enter(LOCAL, Urgency.ROUTINE, "first");
    Thread deploy = waiter(gate, Urgency.ROUTINE, "deploy", order);
    await().atMost(BOUND).until(() -> gate.load(LOCAL).waiting() == 1);
    Thread rollback = waiter(gate, Urgency.ROLLBACK, "rollback", order);
    await().atMost(BOUND).until(() -> gate.load(LOCAL).waiting() == 2);
    assertThat(order).isEmpty();
    first.close();
    deploy.join(BOUND.toMillis());
    rollback.join(BOUND.toMillis());
    assertThat(order).containsExactly("rollback", "deploy");
  }

  @Test
  void runsOnOneEngineAreBoundedOthersAreNot() throws Exception {
    ComposeGate gate = new ComposeGate(1);
    ComposeGate.Turn local = gate.enter(LOCAL, Urgency.ROUTINE, "a");
    // Another engine has turns of its own.
    DockerEndpoint remote = DockerEndpoint.of("tcp://10.0.0.2:2376");
    try (ComposeGate.Turn other = gate.enter(remote, Urgency.ROUTINE, "b")) {
      assertThat(gate.load(remote)).isEqualTo(new ComposeGate.Load(1, 0));
    }
    assertThat(gate.load(LOCAL)).isEqualTo(new ComposeGate.Load(1, 0));
    local.close();
    // Closing twice hands on one turn only.
    local.close();
    assertThat(gate.load(LOCAL)).isEqualTo(new ComposeGate.Load(0, 0));
  }

  @Test
  void anEmergencyRollbackDoesNotWaitForRunningDeploys() throws Exception {
    ComposeGate gate = new ComposeGate(1);
    List<String> order = new CopyOnWriteArrayList<>();
    try (ComposeGate.Turn deploy = gate.enter(LOCAL, Urgency.ROUTINE, "deploy")) {
      waiter(gate, Urgency.ROUTINE, "queued deploy", order);
      await().atMost(BOUND).until(() -> gate.load(LOCAL).waiting() == 1);
      // On a thread of its own, so that a gate that made it wait fails the bound instead of hanging.
      waiter(gate, Urgency.EMERGENCY, "emergency", order).join(BOUND.toMillis());
      assertThat(order).containsExactly("emergency");
    }
  }

  @Test
  void anInterruptedWaiterHoldsNoTurn() throws Exception {
    ComposeGate gate = new ComposeGate(1);
    ComposeGate.Turn first = gate.enter(LOCAL, Urgency.ROUTINE, "first");
    CountDownLatch interrupted = new CountDownLatch(1);
    Thread waiting = new Thread(() -> {
      try {
        gate.enter(LOCAL, Urgency.ROUTINE, "waiting").close();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    waiting.start();
    await().atMost(BOUND).until(() -> gate.load(LOCAL).waiting() == 1);
    waiting.interrupt();
    assertThat(interrupted.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(gate.load(LOCAL)).isEqualTo(new ComposeGate.Load(1, 0));
    first.close();
    // The turn it did not take is free.
    try (ComposeGate.Turn next = gate.enter(LOCAL, Urgency.ROUTINE, "next")) {
      assertThat(gate.load(LOCAL)).isEqualTo(new ComposeGate.Load(1, 0));
    }
  }

  @Test
  void aRunPastItsLeaseHandsItsTurnOnAndItsLateCloseFreesNoOther() throws Exception {
    Duration lease = Duration.ofSeconds(2);
    ComposeGate gate = new ComposeGate(1, lease);
    ComposeGate.Turn hung = gate.enter(LOCAL, Urgency.ROUTINE, "hung");
    long started = System.nanoTime();
    java.util.concurrent.CompletableFuture<ComposeGate.Turn> next = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try {
            return gate.enter(LOCAL, Urgency.ROUTINE, "next");
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
    // On another thread, so that a gate that waits for the hung run fails the bound instead of hanging.
    ComposeGate.Turn nextTurn = next.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the lease, not for the hung run")
        .isGreaterThanOrEqualTo(lease);
    List<String> order = new CopyOnWriteArrayList<>();
    Thread third = waiter(gate, Urgency.ROUTINE, "third", order);
    await().atMost(BOUND).until(() -> gate.load(LOCAL).waiting() == 1);
    hung.close();
    assertThat(gate.load(LOCAL)).as("the hung run's close is not a second turn").isEqualTo(new ComposeGate.Load(1, 1));
    assertThat(order).isEmpty();
    nextTurn.close();
    third.join(BOUND.toMillis());
    assertThat(order).containsExactly("third");
  }

  @Test
  void noBoundNeverWaitsAndANegativeOneIsRefused() throws Exception {
    ComposeGate gate = new ComposeGate(0);
    for (int i = 0; i < 10; i++) {
      gate.enter(LOCAL, Urgency.ROUTINE, "r" + i);
    }
    assertThatThrownBy(() -> new ComposeGate(-1)).hasMessageContaining("--compose-concurrency");
  }

  /** A thread that enters, notes its name when its turn comes and hands the turn on. */
  private static Thread waiter(ComposeGate gate, Urgency urgency, String name, List<String> order) {
    Thread t = new Thread(() -> {
      try (ComposeGate.Turn turn = gate.enter(LOCAL, urgency, name)) {
        order.add(name);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
