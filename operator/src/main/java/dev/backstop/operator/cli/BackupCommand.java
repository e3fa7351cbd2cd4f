package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop backup NAME`: asks the daemon for a database backup now and waits for it. */
@Command(name = "backup", description = "Take a database backup of a release now, through the local daemon.")
final class BackupCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--timeout", defaultValue = "10m", description = "How long to wait for the backup (default: ${DEFAULT-VALUE}); 0 to not wait.")
  String timeout;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration wait = dev.backstop.operator.core.Durations.parse("--timeout", timeout);
    Instant asked = Instant.now().minusSeconds(1);
    PrintWriter out = spec.commandLine().getOut();
    Requests.send(state, name, StagingRelease.BACKUP_ANNOTATION, out);
    if (wait.isZero()) {
      return 0;
    }
    Instant deadline = Instant.now().plus(wait);
    while (Instant.now().isBefore(deadline)) {
      Optional<HistoryEntry> done = state.source().find(name).flatMap(s -> finishedBackup(s, asked));
      if (done.isPresent()) {
        HistoryEntry h = done.get();
        if (h.getResult() == Result.Succeeded) {
          out.println("backup " + h.getBackup() + " written; see `backstop backups " + name + "`");
          out.flush();
          return 0;
        }
        spec.commandLine().getErr().println("error: " + h.getReason());
        return 1;
      }
      Thread.sleep(500);
    }
    spec.commandLine().getErr().println("error: no backup finished within " + timeout
        + "; is the daemon running (`backstop run`) and spec.backup set?");
    return 1;
  }

  private static Optional<HistoryEntry> finishedBackup(StagingReleaseStatus s, Instant asked) {
    return s.getHistory().stream()
        .filter(h -> h.getAction() == ActionKind.Backup && h.getResult() != Result.InProgress
            && h.getStartTime() != null && !Instant.parse(h.getStartTime()).isBefore(asked))
        .findFirst();
  }
}
