package dev.backstop.operator.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import java.util.List;

/**
 * One kept rollback report: status's {@link RollbackReport} as it last stood, numbered, with what
 * the status forgets later (the tripped checks' values, the backup restored) and a person's notes.
 *
 * @param id 1 for a release's first rollback, counting up; what `backstop report --id` names
 * @param checks the tripped checks with the values that tripped them
 * @param backupRestored the backup this rollback restored, or null
 * @param restore how that restore went, or null
 * @param notes root cause, prevention and lessons a person added later, or null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ReportEntry(
    int id,
    String namespace,
    String release,
    RollbackReport report,
    List<CheckValue> checks,
    String backupRestored,
    Result restore,
    ReportNotes notes) {

  public ReportEntry {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** A tripped check and what it saw. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record CheckValue(String name, String value, String message) {}

  /** This report with {@code added} merged into its notes. */
  public ReportEntry withNotes(ReportNotes added) {
    return new ReportEntry(id, namespace, release, report, checks, backupRestored, restore,
        notes == null ? added : notes.merge(added));
  }
}
