package dev.backstop.operator.cli;

import dev.backstop.operator.notify.Json;
import dev.backstop.operator.notify.ReportBook;
import dev.backstop.operator.notify.ReportEntry;
import dev.backstop.operator.notify.ReportNotes;
import dev.backstop.operator.notify.ReportText;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop report NAME`: a rollback report as the runbook's template, and the notes people add to it. */
@Command(name = "report", description = {
    "Show a release's rollback report (the newest, or --id N), or add root cause, prevention measures,"
        + " lessons learned and notes to it.",
    "Local mode keeps the last spec.rollback.reportsToKeep reports in the state directory; a cluster in the"
        + " ConfigMap NAME-rollback-reports."})
final class ReportCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--id", paramLabel = "N", description = "The report's number (default: the newest).")
  Integer id;

  @Option(names = "--all", description = "Every kept report, oldest first.")
  boolean all;

  @Option(names = {"-o", "--output"}, defaultValue = "markdown",
      description = "markdown or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--root-cause", paramLabel = "TEXT", description = "Set the report's root cause.")
  String rootCause;

  @Option(names = "--prevention", paramLabel = "TEXT", description = "Set the report's prevention measures.")
  String prevention;

  @Option(names = "--lessons", paramLabel = "TEXT", description = "Set the report's lessons learned.")
  String lessons;

  @Option(names = "--note", paramLabel = "TEXT", description = "Add a free-form note (repeatable).")
  List<String> notes = new ArrayList<>();

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!output.equals("markdown") && !output.equals("json")) {
      throw new IllegalArgumentException("-o " + output + " is not an output: use markdown or json");
    }
    if (all && id != null) {
      throw new IllegalArgumentException("--all and --id exclude each other: drop one");
    }
    ReleaseSource.Reports where = state.source().reports(name);
    List<ReportEntry> reports = where.store().annotated(where.release());
    PrintWriter out = spec.commandLine().getOut();
    if (reports.isEmpty()) {
      throw new IllegalArgumentException(name + " has no rollback report: it has not rolled back"
          + " (or its reports were lost with its state)");
    }
    ReportNotes added = new ReportNotes(rootCause, prevention, lessons, notes);
    if (!added.isEmpty()) {
      if (all) {
        throw new IllegalArgumentException("notes go to one report: use --id N instead of --all");
      }
      ReportEntry target = find(reports);
      Map<Integer, ReportNotes> kept = new TreeMap<>(where.store().notes(where.release()));
      kept.merge(target.id(), added, ReportNotes::merge);
      // Notes of reports that retention dropped go too.
      kept.keySet().retainAll(reports.stream().map(ReportEntry::id).toList());
      where.store().writeNotes(where.release(), kept);
      out.println("added to rollback report #" + target.id() + " of " + name);
      out.flush();
      return 0;
    }
    List<ReportEntry> shown = all ? reports : List.of(find(reports));
    if (output.equals("json")) {
      out.println(Json.pretty(all ? shown : shown.get(0)));
    } else {
      out.print(String.join("\n", shown.stream().map(ReportText::markdown).toList()));
    }
    out.flush();
    return 0;
  }

  private ReportEntry find(List<ReportEntry> reports) {
    return ReportBook.find(reports, id).orElseThrow(() -> new IllegalArgumentException(
        name + " has no rollback report #" + id + "; it keeps #" + reports.get(0).id() + " to #"
            + reports.get(reports.size() - 1).id()));
  }
}
