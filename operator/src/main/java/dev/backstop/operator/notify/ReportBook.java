package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kept reports of one release as a pure function of the previous ones and a recorded status:
 * a new status.lastRollback becomes a new numbered report, a changed one updates its report, and
 * only the newest {@code keep} stay.
 */
public final class ReportBook {

  private ReportBook() {}

  /**
   * The reports after {@code status} was recorded, newest last; {@code kept} itself when nothing
   * changed, so a steady release writes nothing.
   */
  public static List<ReportEntry> update(
      List<ReportEntry> kept, String namespace, String release, StagingReleaseStatus status, int keep) {
    RollbackReport r = status == null ? null : status.getLastRollback();
    if (r == null || r.getStartTime() == null) {
      return trimmed(kept, keep);
    }
    ReportEntry old = kept.stream().filter(e -> sameRollback(e.report(), r)).findFirst().orElse(null);
    int id = old != null ? old.id() : kept.stream().mapToInt(ReportEntry::id).max().orElse(0) + 1;
    HistoryEntry h = historyOf(status, r);
    ReportEntry entry = new ReportEntry(id, namespace, release, r, checkValues(old, r, status),
        h == null ? null : h.getBackup(), h == null ? null : h.getRestore(), old == null ? null : old.notes());
    if (reportJson(entry).equals(reportJson(old))) {
      return trimmed(kept, keep);
    }
    List<ReportEntry> next = new ArrayList<>(kept);
    next.removeIf(e -> e.id() == id);
    next.add(entry);
    next.sort(Comparator.comparingInt(ReportEntry::id));
    return trimmed(next, keep);
  }

  /** The report numbered {@code id}, or the newest when {@code id} is null. */
  public static Optional<ReportEntry> find(List<ReportEntry> reports, Integer id) {
    return id == null
        ? reports.stream().max(Comparator.comparingInt(ReportEntry::id))
        : reports.stream().filter(e -> e.id() == id).findFirst();
  }

  private static List<ReportEntry> trimmed(List<ReportEntry> reports, int keep) {
    return reports.size() <= keep ? reports : List.copyOf(reports.subList(reports.size() - keep, reports.size()));
  }

  // RollbackReport has no equals: compare what a reader would see.
  private static String reportJson(ReportEntry e) {
    return e == null ? "" : Json.write(e);
  }

  private static boolean sameRollback(RollbackReport a, RollbackReport b) {
    return a != null && Objects.equals(a.getStartTime(), b.getStartTime())
        && Objects.equals(commit(a.getFrom()), commit(b.getFrom())) && Objects.equals(a.getTrigger(), b.getTrigger());
  }

  private static String commit(Revision r) {
    return r == null ? null : r.getCommit();
  }

  private static HistoryEntry historyOf(StagingReleaseStatus s, RollbackReport r) {
    for (HistoryEntry h : s.getHistory()) {
      boolean rollback = h.getAction() == ActionKind.Rollback || h.getAction() == ActionKind.EmergencyRollback;
      if (rollback && Objects.equals(h.getStartTime(), r.getStartTime())) {
        return h;
      }
    }
    return null;
  }

  /**
   * The values that tripped the checks, seen while the rollback starts; later statuses show the
   * checks of the stack rolled back to, so a value once seen is kept.
   */
  private static List<ReportEntry.CheckValue> checkValues(ReportEntry old, RollbackReport r, StagingReleaseStatus s) {
    List<ReportEntry.CheckValue> values = new ArrayList<>();
    for (String name : r.getTrippedChecks()) {
      ReportEntry.CheckValue seen = old == null ? null
          : old.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
      if (seen == null) {
        CheckStatus now = s.getChecks().stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
        seen = new ReportEntry.CheckValue(name, now == null ? null : now.getLastValue(),
            now == null ? null : now.getMessage());
      }
      values.add(seen);
    }
    return values;
  }
}
