package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop history NAME`: deploys and rollbacks, newest first, and the last rollback report. */
@Command(name = "history", description = "Show a release's deploys and rollbacks, newest first.")
final class HistoryCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    StagingReleaseStatus s = state.status(name);
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      out.println(StatusCommand.JSON.writeValueAsString(s.getHistory()));
      out.flush();
      return 0;
    }
    StatusTable.history(out, s.getHistory());
    var r = s.getLastRollback();
    if (r != null) {
      out.println();
      out.println("Last rollback: " + r.getTrigger() + ", " + r.getResult());
      out.println("  reason:            " + r.getReason());
      out.println("  from -> to:        " + StatusTable.ref(r.getFrom()) + " -> " + StatusTable.ref(r.getTo()));
      out.println("  detected:          " + r.getDetectionTime());
      out.println("  rollback time:     " + seconds(r.getRollbackSeconds()) + " (start to last-known-good applied)");
      out.println("  recovery time:     " + seconds(r.getRecoverySeconds()) + " (detection to checks passing)");
      out.println("  tripped checks:    " + (r.getTrippedChecks().isEmpty() ? "-" : String.join(", ", r.getTrippedChecks())));
      out.println("  services affected: " + (r.getServicesAffected().isEmpty() ? "-" : String.join(", ", r.getServicesAffected())));
      if (Boolean.TRUE.equals(r.getManualVerificationRequired())) {
        out.println("  manual verification required: no checks gated this emergency rollback");
      }
    }
    out.flush();
    return 0;
  }

  private static String seconds(Double s) {
    return s == null ? "-" : String.format("%.1fs", s);
  }
}
