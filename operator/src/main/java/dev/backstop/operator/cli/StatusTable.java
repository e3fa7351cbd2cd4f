package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.Timestamps;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tables for people, shaped like `kubectl get sr`. */
final class StatusTable {

  private StatusTable() {}

  static void releases(PrintWriter out, Map<String, StagingReleaseStatus> statuses, boolean wide, Instant now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header(wide));
    statuses.forEach((name, s) -> rows.add(row(name, s, wide, now)));
    print(out, rows);
  }

  static String[] header(boolean wide) {
    return wide
        ? new String[] {"NAME", "DESIRED", "CURRENT", "LAST-GOOD", "PHASE", "READY", "REASON", "AGE", "MESSAGE"}
        : new String[] {"NAME", "DESIRED", "CURRENT", "LAST-GOOD", "PHASE", "READY", "REASON", "AGE"};
  }

  /** One release's row; AGE is the column before MESSAGE (or the last one). */
  static String[] row(String name, StagingReleaseStatus s, boolean wide, Instant now) {
    Condition ready = Conditions.find(s.getConditions(), ConditionType.Ready);
    String since = ready == null ? null : ready.getLastTransitionTime();
    List<String> row = new ArrayList<>(List.of(
        name,
        ref(s.getDesired()),
        ref(s.getCurrent()),
        ref(s.getLastKnownGood()),
        s.getPhase() == null ? "-" : s.getPhase().name(),
        ready == null ? "-" : ready.getStatus().name(),
        ready == null ? "-" : ready.getReason().name(),
        age(since, now)));
    if (wide) {
      row.add(ready == null || ready.getMessage() == null ? "" : ready.getMessage());
    }
    return row.toArray(String[]::new);
  }

  static void history(PrintWriter out, List<HistoryEntry> history) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STARTED", "ACTION", "TRIGGER", "FROM", "TO", "RESULT", "TOOK", "REASON"});
    for (HistoryEntry h : history) {
      Double took = Timestamps.secondsBetween(h.getStartTime(), h.getEndTime());
      rows.add(new String[] {
        h.getStartTime(),
        h.getAction().name(),
        h.getTrigger().name(),
        ref(h.getFrom()),
        ref(h.getTo()),
        h.getResult().name(),
        took == null ? "-" : String.format("%.1fs", took),
        h.getReason() == null ? "" : h.getReason()
      });
    }
    print(out, rows);
  }

  static String ref(Revision r) {
    if (r == null) {
      return "-";
    }
    String sha = r.getShortCommit() != null ? r.getShortCommit()
        : r.getCommit() == null ? "?" : r.getCommit().substring(0, Math.min(7, r.getCommit().length()));
    return r.getRef() + "@" + sha;
  }

  private static String age(String since, Instant now) {
    if (since == null) {
      return "-";
    }
    Duration d = Duration.between(Timestamps.parse(since), now);
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return (s / 60) + "m";
    }
    return (s / 3600) + "h";
  }

  static void print(PrintWriter out, List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        line.append(i == cols - 1 ? r[i] : String.format("%-" + (width[i] + 3) + "s", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
