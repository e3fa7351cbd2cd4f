package dev.backstop.operator.metrics;

import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.core.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What of one release's status has been counted by this process, so that every finished history
 * entry and every counted check failure is counted exactly once however often a status is fed.
 *
 * <p>Across a restart or a leader change the new process re-reads statuses that hold entries the
 * old one already counted. Counters are per process (Prometheus sees the reset), so the new process
 * must count only what ended under it: an entry or failure is new when it ended at or after the
 * baseline, the later of this process's start and one second before the release's first status
 * here. The second covers an entry the very first reconcile finishes (it ends a few milliseconds
 * before that status reaches us); a previous process cannot have ended anything that close, since
 * a restart or a Lease takeover takes longer. Timestamps come from the engine's clock, which in
 * both drivers is the one this process runs on.
 */
final class CountedLedger {

  static final Duration FIRST_STATUS_GRACE = Duration.ofSeconds(1);

  private final Instant baseline;
  // Bounded by the status' own history limit: ids that left the history are dropped.
  private final Set<String> counted = new HashSet<>();
  private final Map<String, String> countedFailure = new HashMap<>();
  private final Set<String> countedTrips = new HashSet<>();

  CountedLedger(Instant processStart, Instant firstStatus) {
    Instant graced = firstStatus.minus(FIRST_STATUS_GRACE);
    this.baseline = graced.isAfter(processStart) ? graced : processStart;
  }

  /** The history entries of {@code s} that finished and were not counted yet; marks them counted. */
  List<HistoryEntry> newlyFinished(StagingReleaseStatus s) {
    List<HistoryEntry> fresh = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (HistoryEntry h : s.getHistory()) {
      String id = id(h);
      present.add(id);
      if (h.getResult() == null || h.getResult() == Result.InProgress || counted.contains(id)) {
        continue;
      }
      counted.add(id);
      Instant ended = Timestamps.parse(h.getEndTime() != null ? h.getEndTime() : h.getStartTime());
      if (ended != null && !ended.isBefore(baseline)) {
        fresh.add(h);
      }
    }
    counted.retainAll(present);
    return fresh;
  }

  /** Names of the checks of {@code s} that counted a failure not counted here yet. */
  List<String> newFailures(StagingReleaseStatus s) {
    List<String> fresh = new ArrayList<>();
    for (CheckStatus c : s.getChecks()) {
      String at = c.getLastCountedFailureTime();
      if (c.getName() == null || at == null || at.equals(countedFailure.get(c.getName()))) {
        continue;
      }
      countedFailure.put(c.getName(), at);
      Instant when = Timestamps.parse(at);
      if (!when.isBefore(baseline)) {
        fresh.add(c.getName());
      }
    }
    return fresh;
  }

  /**
   * Checks whose trip a history entry names and that no status showed as a counted failure: the
   * decide that counts the tripping failure also starts the rollback, which resets every check, so
   * that failure shows only as the entry's trippedChecks. Each trip once: on the deploy or rollback
   * it failed, or on the rollback a healthy release's trip started (a rollback after a failed
   * deploy names the deploy's trip again, so it is not counted twice).
   */
  List<String> newTrips(StagingReleaseStatus s) {
    List<String> fresh = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (HistoryEntry h : s.getHistory()) {
      if (h.getTrippedChecks().isEmpty()) {
        continue;
      }
      String trip;
      String at;
      if (h.getResult() == Result.Failed) {
        trip = "failed:" + id(h);
        at = h.getEndTime() != null ? h.getEndTime() : h.getStartTime();
      } else if (h.getTrigger() == Trigger.HealthCheck) {
        trip = "started:" + id(h);
        at = h.getStartTime();
      } else {
        continue;
      }
      present.add(trip);
      if (countedTrips.add(trip) && at != null && !Timestamps.parse(at).isBefore(baseline)) {
        fresh.addAll(h.getTrippedChecks());
      }
    }
    countedTrips.retainAll(present);
    return fresh;
  }

  /** A history entry is one action started at one instant (as the decider itself finds it again). */
  static String id(HistoryEntry h) {
    return h.getAction() + "@" + h.getStartTime();
  }
}
