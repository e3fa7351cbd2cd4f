package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.util.LinkedHashSet;
import java.util.Set;

/** Which commits keep their built images: the rest may be removed from the Docker host. */
public final class ImageRetention {

  private ImageRetention() {}

  /**
   * The commits whose images stay: the current one, the last-known-good one (a rollback must
   * never need a build), the target of an operation in flight, and the last {@code keep} distinct
   * commits deployed or rolled back to (status.history, newest first).
   */
  public static Set<String> commitsToKeep(StagingReleaseStatus s, int keep) {
    Set<String> always = new LinkedHashSet<>();
    add(always, s.getCurrent());
    add(always, s.getLastKnownGood());
    if (s.getOperation() != null) {
      add(always, s.getOperation().getTarget());
    }
    Set<String> recent = new LinkedHashSet<>();
    for (HistoryEntry h : s.getHistory()) {
      if (recent.size() >= keep) {
        break;
      }
      Revision to = h.getTo();
      if (to != null && to.getCommit() != null) {
        recent.add(to.getCommit());
      }
    }
    always.addAll(recent);
    return always;
  }

  private static void add(Set<String> commits, Revision r) {
    if (r != null && r.getCommit() != null) {
      commits.add(r.getCommit());
    }
  }
}
