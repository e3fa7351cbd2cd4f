package dev.backstop.operator.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * What a person adds to a rollback report after the fact: the runbook template's root cause,
 * prevention measures and lessons learned, plus free-form notes. Kept apart from the reports
 * (a file or ConfigMap key of its own) so that the CLI and the daemon never overwrite each other.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ReportNotes(String rootCause, String prevention, String lessons, List<String> notes) {

  public ReportNotes {
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** These notes with {@code later}'s fields over them and its notes appended. */
  public ReportNotes merge(ReportNotes later) {
    if (later == null) {
      return this;
    }
    List<String> all = new ArrayList<>(notes);
    all.addAll(later.notes);
    return new ReportNotes(later.rootCause != null ? later.rootCause : rootCause,
        later.prevention != null ? later.prevention : prevention,
        later.lessons != null ? later.lessons : lessons, all);
  }

  /** Whether nothing is set. */
  public boolean isEmpty() {
    return rootCause == null && prevention == null && lessons == null && notes.isEmpty();
  }
}
