package dev.backstop.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTextTest {

  private static ReportEntry entry(ReportNotes notes) {
    RollbackReport r = new RollbackReport();
    r.setTrigger(Trigger.HealthCheck);
    r.setReason("check http tripped");
    r.setStartTime("2026-12-01T10:00:00Z");
    r.setDetectionTime("2026-12-01T09:59:58Z");
    r.setResult(Result.Succeeded);
    r.setFrom(ReportBookTest.revision("v2", "2222222222222"));
    r.setTo(ReportBookTest.revision("v1", "1111111111111"));
    r.setRollbackSeconds(3.24);
    r.setRecoverySeconds(7.91);
    r.setServicesAffected(List.of("web", "db"));
    r.setBackupBeforeRollback("before-rollback-1");
    return new ReportEntry(2, null, "demo", r, List.of(new ReportEntry.CheckValue("http", "500", "HTTP 500")),
        "pre-deploy-v2", Result.Succeeded, notes);
  }

  @Test
  void markdownFillsTheRunbookTemplateAndSaysHowToAddWhatAPersonKnows() {
    String md = ReportText.markdown(entry(null));
    assertThat(md).startsWith("# Rollback Report: demo #2\n")
        .contains("**Date**: 2026-12-01T10:00:00Z")
        .contains("**Trigger**: Automatic (HealthCheck)")
        .contains("**Reason**: check http tripped; tripped: http = 500 (HTTP 500)")
        .contains("**From**: v2 (222222222222)", "**To**: v1 (111111111111)")
        .contains("**Rollback Time**: 3.2 s", "**Recovery Time**: 7.9 s")
        .contains("**Services Affected**: web, db")
        .contains("**Backup Taken**: before-rollback-1 (before rollback)")
        .contains("**Backup Restored**: pre-deploy-v2 (Succeeded)")
        .contains("**Root Cause**: _not yet: `backstop report demo --id 2 --root-cause TEXT`_");

    String annotated = ReportText.markdown(entry(new ReportNotes("bad migration", "test migrations", "smaller steps",
        List.of("paged at 10:01"))));
    assertThat(annotated).contains("**Root Cause**: bad migration", "**Prevention Measures**: test migrations",
        "**Lessons Learned**: smaller steps", "- paged at 10:01");
  }

  @Test
  void theSummaryIsOneParagraph() {
    String s = ReportText.summary(entry(null));
    assertThat(s).doesNotContain("\n").startsWith("demo: automatic (HealthCheck) rollback #2 succeeded, from v2")
        .contains("Rollback time 3.2 s.", "Recovery time 7.9 s.", "Services affected: web, db.");
  }

  @Test
  void laterNotesOverwriteFieldsAndAppendNotes() {
    ReportNotes merged = new ReportNotes("a", null, "l", List.of("one"))
        .merge(new ReportNotes("b", "p", null, List.of("two")));
    assertThat(merged).isEqualTo(new ReportNotes("b", "p", "l", List.of("one", "two")));
  }
}
