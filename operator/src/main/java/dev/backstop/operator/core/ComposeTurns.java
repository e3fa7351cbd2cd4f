package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Whose compose run (an apply's down and up, or a teardown) goes next on one Docker engine, when at
 * most {@code limit} may run at once: emergency rollbacks at once whatever runs, then rollbacks,
 * then deploys and teardowns, first come first served within each. A rollback never waits behind
 * queued deploys, only for a running one to end. Plain bookkeeping, not thread-safe: its owner
 * serializes the calls and does the waiting.
 */
public final class ComposeTurns {

  /** How urgent a run is; earlier constants go first. */
  public enum Urgency {
    /** The runbook's "now": never waits for a turn. */
    EMERGENCY,
    ROLLBACK,
    ROUTINE;

    /** The urgency of an apply of {@code kind}; null (a teardown) is routine. */
    public static Urgency of(ActionKind kind) {
      if (kind == ActionKind.EmergencyRollback) {
        return EMERGENCY;
      }
      return kind == ActionKind.Rollback ? ROLLBACK : ROUTINE;
    }
  }

  private final int limit;
  private final Map<Urgency, Deque<Long>> waiting = new EnumMap<>(Urgency.class);
  private int running;

  /** @param limit runs at once; 0 or less for no bound */
  public ComposeTurns(int limit) {
    this.limit = limit;
    for (Urgency u : Urgency.values()) {
      waiting.put(u, new ArrayDeque<>());
    }
  }

  /**
   * A run asks for its turn.
   *
   * @return true when it may start now (it then counts as running), false when it waits until
   *     {@link #finished()} or {@link #cancel} names it
   */
  public boolean request(long ticket, Urgency urgency) {
    if (urgency == Urgency.EMERGENCY || limit <= 0 || (running < limit && waitingCount() == 0)) {
      running++;
      return true;
    }
    waiting.get(urgency).addLast(ticket);
    return false;
  }

  /** A run ended; the tickets that start now, most urgent first. */
  public List<Long> finished() {
    if (running > 0) {
      running--;
    }
    return admit();
  }

  /**
   * A waiting run gave up (its thread was interrupted); one that was admitted meanwhile must call
   * {@link #finished()} instead.
   *
   * @return whether it was still waiting
   */
  public boolean cancel(long ticket) {
    for (Deque<Long> queue : waiting.values()) {
      if (queue.remove(ticket)) {
        return true;
      }
    }
    return false;
  }

  private List<Long> admit() {
    List<Long> admitted = new ArrayList<>();
    for (Urgency u : Urgency.values()) {
      Deque<Long> queue = waiting.get(u);
      while (!queue.isEmpty() && (limit <= 0 || running < limit)) {
        admitted.add(queue.removeFirst());
        running++;
      }
    }
    return admitted;
  }

  /** Runs under way, emergency ones included. */
  public int running() {
    return running;
  }

  /** Runs waiting for their turn. */
  public int waitingCount() {
    int n = 0;
    for (Deque<Long> queue : waiting.values()) {
      n += queue.size();
    }
    return n;
  }

  /** Runs at once, 0 for no bound. */
  public int limit() {
    return Math.max(limit, 0);
  }
}
