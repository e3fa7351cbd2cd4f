package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop backups NAME`: the database backups of a release, newest first. */
@Command(name = "backups", description = "List a release's database backups, newest first.")
final class BackupsCommand implements Callable<Integer> {

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
      out.println(StatusCommand.JSON.writeValueAsString(s.getBackups()));
      out.flush();
      return 0;
    }
    if (s.getBackups().isEmpty()) {
      out.println("no backups of " + name + " yet");
      out.flush();
      return 0;
    }
    out.printf("%-28s %-20s %-8s %12s  %-16s %s%n", "NAME", "TIME", "COMMIT", "SIZE", "SHA256", "REASON");
    for (BackupRecord b : s.getBackups()) {
      out.printf("%-28s %-20s %-8s %12d  %-16s %s%n", b.getName(), b.getTime(),
          b.getCommit() == null ? "-" : b.getCommit().substring(0, Math.min(7, b.getCommit().length())),
          b.getSize() == null ? 0 : b.getSize(),
          b.getSha256() == null ? "-" : b.getSha256().substring(0, 16), b.getReason() == null ? "" : b.getReason());
    }
    out.flush();
    return 0;
  }
}
