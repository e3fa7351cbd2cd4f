package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A rollback report as the runbook's template in Markdown, and as a one-paragraph summary. */
public final class ReportText {

  private ReportText() {}

  /** The runbook's template, filled in; what a person has not added yet says how to add it. */
  public static String markdown(ReportEntry e) {
    RollbackReport r = e.report();
    ReportNotes n = e.notes() == null ? new ReportNotes(null, null, null, List.of()) : e.notes();
    String hint = "backstop report " + e.release() + " --id " + e.id();
    StringBuilder md = new StringBuilder();
    md.append("# Rollback Report: ").append(e.release()).append(" #").append(e.id()).append("\n\n");
    line(md, "Date", or(r.getStartTime(), r.getDetectionTime()));
    line(md, "Trigger", trigger(r.getTrigger()));
    line(md, "Reason", reason(e));
    line(md, "From", revision(r.getFrom()));
    line(md, "To", revision(r.getTo()));
    line(md, "Result", r.getResult() == null ? "-" : r.getResult().name());
    line(md, "Detected", or(r.getDetectionTime(), "-"));
    line(md, "Rollback Time", seconds(r.getRollbackSeconds()) + " (rollback start to last-known-good applied)");
    line(md, "Recovery Time", Boolean.TRUE.equals(r.getManualVerificationRequired())
        ? "manual verification required (emergency rollback: no checks gated it)"
        : seconds(r.getRecoverySeconds()) + " (detection to checks passing)");
    line(md, "Services Affected", r.getServicesAffected().isEmpty() ? "-" : String.join(", ", r.getServicesAffected()));
    line(md, "Backup Taken", r.getBackupBeforeRollback() != null ? r.getBackupBeforeRollback() + " (before rollback)"
        : r.getBackupBeforeRollbackFailure() != null ? "failed: " + r.getBackupBeforeRollbackFailure() : "-");
    line(md, "Backup Restored", e.backupRestored() == null ? "-"
        : e.backupRestored() + (e.restore() == null ? "" : " (" + e.restore() + ")"));
    line(md, "Root Cause", or(n.rootCause(), "_not yet: `" + hint + " --root-cause TEXT`_"));
    line(md, "Prevention Measures", or(n.prevention(), "_not yet: `" + hint + " --prevention TEXT`_"));
    line(md, "Lessons Learned", or(n.lessons(), "_not yet: `" + hint + " --lessons TEXT`_"));
    if (!n.notes().isEmpty()) {
      md.append("\n**Notes**:\n");
      n.notes().forEach(note -> md.append("- ").append(note).append('\n'));
    }
    return md.toString();
  }

  /** One paragraph for a chat message: what happened, why, and how long it took. */
  public static String summary(ReportEntry e) {
    RollbackReport r = e.report();
    StringBuilder s = new StringBuilder();
    String trigger = trigger(r.getTrigger());
    s.append(where(e)).append(": ").append(Character.toLowerCase(trigger.charAt(0))).append(trigger.substring(1))
        .append(" rollback #")
        .append(e.id()).append(' ').append(r.getResult() == null ? "" : r.getResult().name().toLowerCase(Locale.ROOT))
        .append(", from ").append(revision(r.getFrom())).append(" to ").append(revision(r.getTo()))
        .append(". Reason: ").append(reason(e)).append('.');
    if (r.getRollbackSeconds() != null) {
      s.append(" Rollback time ").append(seconds(r.getRollbackSeconds())).append('.');
    }
    if (r.getRecoverySeconds() != null) {
      s.append(" Recovery time ").append(seconds(r.getRecoverySeconds())).append('.');
    }
    if (Boolean.TRUE.equals(r.getManualVerificationRequired())) {
      s.append(" Manual verification required.");
    }
    if (!r.getServicesAffected().isEmpty()) {
      s.append(" Services affected: ").append(String.join(", ", r.getServicesAffected())).append('.');
    }
    return s.toString();
  }

  static String where(ReportEntry e) {
    return e.namespace() == null ? e.release() : e.namespace() + "/" + e.release();
  }

  /** The runbook's words: Automatic, Manual or Emergency, with Backstop's own trigger beside. */
  static String trigger(Trigger t) {
    if (t == null) {
      return "-";
    }
    return switch (t) {
      case Manual -> "Manual";
      case Emergency -> "Emergency";
      default -> "Automatic (" + t + ")";
    };
  }

  private static String reason(ReportEntry e) {
    String reason = or(e.report().getReason(), "-");
    if (e.checks().isEmpty()) {
      return reason;
    }
    return reason + "; tripped: " + e.checks().stream()
        .map(c -> c.name() + (c.value() == null ? "" : " = " + c.value())
            + (c.message() == null ? "" : " (" + c.message() + ")"))
        .collect(Collectors.joining(", "));
  }

  private static String revision(Revision r) {
    if (r == null) {
      return "-";
    }
    String commit = r.getShortCommit() != null ? r.getShortCommit()
        : r.getCommit() == null ? null : r.getCommit().substring(0, Math.min(12, r.getCommit().length()));
    return r.getRef() == null ? or(commit, "-") : r.getRef() + (commit == null ? "" : " (" + commit + ")");
  }

  private static String seconds(Double s) {
    return s == null ? "-" : String.format(Locale.ROOT, "%.1f s", s);
  }

  private static void line(StringBuilder md, String field, String value) {
    md.append("**").append(field).append("**: ").append(value).append("  \n");
  }

  private static String or(String a, String b) {
    return a == null || a.isBlank() ? b : a;
  }
}
