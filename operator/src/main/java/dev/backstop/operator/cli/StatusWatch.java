package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `backstop status -w`: like `kubectl get -w`, the table once, then one row each time a release's
 * row changes. Its age alone moving is no change.
 */
final class StatusWatch {

  private final boolean wide;
  private final Map<String, String> lastKeys = new HashMap<>();
  private int[] widths;

  StatusWatch(boolean wide) {
    this.wide = wide;
  }

  /**
   * The lines to print for the statuses as they are now: the header and every row the first time,
   * then the rows that changed and a line for each release whose status went away.
   */
  List<String> lines(Map<String, StagingReleaseStatus> now, Instant at) {
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, StagingReleaseStatus> e : now.entrySet()) {
      String[] row = StatusTable.row(e.getKey(), e.getValue(), wide, at);
      if (!key(row).equals(lastKeys.put(e.getKey(), key(row)))) {
        rows.add(row);
      }
    }
    Set<String> gone = new HashSet<>(lastKeys.keySet());
    gone.removeAll(now.keySet());
    List<String> out = new ArrayList<>();
    if (widths == null && rows.isEmpty()) {
      return out;
    }
    if (widths == null) {
      List<String[]> first = new ArrayList<>(rows);
      first.add(0, StatusTable.header(wide));
      widths = widths(first);
      out.add(format(StatusTable.header(wide)));
    }
    for (String[] row : rows) {
      out.add(format(row));
    }
    for (String name : gone) {
      lastKeys.remove(name);
      out.add(name + " (its status is gone: the release was removed from the state directory)");
    }
    return out;
  }

  // Everything but AGE, which moves every second.
  private String key(String[] row) {
    String[] k = row.clone();
    k[7] = "";
    return String.join("\u0000", Arrays.asList(k));
  }

  private static int[] widths(List<String[]> rows) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    return w;
  }

  // Later rows keep the first table's columns where they fit, as kubectl does.
  private String format(String[] row) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      line.append(i == row.length - 1 ? row[i] : String.format("%-" + (Math.max(widths[i], row[i].length()) + 3) + "s", row[i]));
    }
    return line.toString().stripTrailing();
  }
}
