package dev.backstop.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportBookTest {

  @Test
  void aNewRollbackIsANumberedReportWithTheTrippedValuesAndItsUpdatesKeepTheNumber() {
    StagingReleaseStatus started = status("2026-12-01T10:00:00Z", Result.InProgress, "HTTP 500");
    List<ReportEntry> first = ReportBook.update(List.of(), "ns", "demo", started, 10);
    assertThat(first).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo(1);
      assertThat(e.checks()).containsExactly(new ReportEntry.CheckValue("http", "HTTP 500", "got 500"));
      assertThat(e.report().getResult()).isEqualTo(Result.InProgress);
    });

    // Later the checks show the stack rolled back to; the report keeps what tripped.
    StagingReleaseStatus done = status("2026-12-01T10:00:00Z", Result.Succeeded, "HTTP 200");
    done.getHistory().get(0).setBackup("pre-v2");
    done.getHistory().get(0).setRestore(Result.Succeeded);
    List<ReportEntry> second = ReportBook.update(first, "ns", "demo", done, 10);
    assertThat(second).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo(1);
      assertThat(e.report().getResult()).isEqualTo(Result.Succeeded);
      assertThat(e.checks()).extracting(ReportEntry.CheckValue::value).containsExactly("HTTP 500");
      assertThat(e.backupRestored()).isEqualTo("pre-v2");
      assertThat(e.restore()).isEqualTo(Result.Succeeded);
    });

    // The same status again changes nothing, so nothing is written.
    assertThat(ReportBook.update(second, "ns", "demo", done, 10)).isSameAs(second);
  }

  @Test
  void onlyTheNewestReportsToKeepStay() {
    List<ReportEntry> kept = List.of();
    for (int i = 0; i < 5; i++) {
      kept = ReportBook.update(kept, null, "demo", status("2026-12-01T10:0" + i + ":00Z", Result.Succeeded, "x"), 3);
    }
    assertThat(kept).extracting(ReportEntry::id).containsExactly(3, 4, 5);
    assertThat(ReportBook.find(kept, null)).get().extracting(ReportEntry::id).isEqualTo(5);
    assertThat(ReportBook.find(kept, 4)).get().extracting(ReportEntry::id).isEqualTo(4);
    assertThat(ReportBook.find(kept, 1)).isEmpty();
  }

  @Test
  void noRollbackNoReport() {
    assertThat(ReportBook.update(List.of(), "ns", "demo", new StagingReleaseStatus(), 10)).isEmpty();
  }

  private static StagingReleaseStatus status(String start, Result result, String value) {
    RollbackReport r = new RollbackReport();
    r.setTrigger(Trigger.HealthCheck);
    r.setReason("check http tripped");
    r.setStartTime(start);
    r.setResult(result);
    r.setFrom(revision("v2", "2222222222"));
    r.setTo(revision("v1", "1111111111"));
    r.setTrippedChecks(List.of("http"));
    r.setServicesAffected(List.of("web"));
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setLastRollback(r);
    CheckStatus c = new CheckStatus();
    c.setName("http");
    c.setLastValue(value);
    c.setMessage(value.equals("HTTP 500") ? "got 500" : null);
    s.getChecks().add(c);
    HistoryEntry h = new HistoryEntry();
    h.setAction(ActionKind.Rollback);
    h.setStartTime(start);
    h.setResult(result);
    s.getHistory().add(h);
    return s;
  }

  static Revision revision(String ref, String commit) {
    Revision r = new Revision();
    r.setRef(ref);
    r.setCommit(commit);
    return r;
  }
}
