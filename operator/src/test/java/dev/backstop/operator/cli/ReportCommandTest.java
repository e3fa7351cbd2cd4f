package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.notify.FileReportStore;
import dev.backstop.operator.notify.ReportEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `backstop report` against a local state directory: listing, bad input, a release without reports. */
class ReportCommandTest {

  @TempDir Path state;

  private record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--state", state.toString()));
    return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
  }

  private void release(String name, int reports) throws Exception {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.RolledBack);
    new StatusStore(state).write(name, s);
    StagingRelease r = new StagingRelease();
    r.getMetadata().setName(name);
    List<ReportEntry> entries = new java.util.ArrayList<>();
    for (int id = 1; id <= reports; id++) {
      RollbackReport report = new RollbackReport();
      report.setTrigger(Trigger.Manual);
      report.setResult(Result.Succeeded);
      report.setStartTime("2026-12-01T10:0" + id + ":00Z");
      entries.add(new ReportEntry(id, null, name, report, List.of(), null, null, null));
    }
    new FileReportStore(state).write(r, entries);
  }

  @Test
  void allListsEveryKeptReportOldestFirst() throws Exception {
    release("shop", 2);
    Run json = run("report", "shop", "--all", "-o", "json");
    assertThat(json.exit()).as(json.err()).isZero();
    assertThat(new ObjectMapper().readTree(json.out()).findValuesAsText("startTime"))
        .containsExactly("2026-12-01T10:01:00Z", "2026-12-01T10:02:00Z");
    Run md = run("report", "shop", "--all");
    assertThat(md.out()).contains("# Rollback Report: shop #1", "# Rollback Report: shop #2",
        "**Trigger**: Manual");
  }

  @Test
  void badInputIsOneSentenceAndANonZeroExit() throws Exception {
    release("shop", 1);
    release("quiet", 0);
    assertThat(run("report", "shop", "-o", "yaml"))
        .isEqualTo(new Run(2, "", "error: -o yaml is not an output: use markdown or json\n"));
    assertThat(run("report", "shop", "--all", "--id", "1").err())
        .isEqualTo("error: --all and --id exclude each other: drop one\n");
    assertThat(run("report", "quiet").err())
        .isEqualTo("error: quiet has no rollback report: it has not rolled back (or its reports were lost with its state)\n");
    assertThat(run("report", "nope").err()).startsWith("error: no release named nope in ");
    assertThat(run("report", "--help").out()).contains("--root-cause", "--prevention", "--lessons", "--note");
  }
}
