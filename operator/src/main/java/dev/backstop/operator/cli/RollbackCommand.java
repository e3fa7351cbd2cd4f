package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop rollback NAME`: the runbook's manual and emergency rollback, as one request. */
@Command(name = "rollback", description = "Ask the daemon (or operator) to roll a release back to last-known-good,"
    + " or with --to to an earlier commit that passed verification.")
final class RollbackCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--emergency", description = "No verification gate: compose down --remove-orphans, then up of last-known-good.")
  boolean emergency;

  @Option(names = "--to", paramLabel = "REF|COMMIT",
      description = "Roll back to this earlier commit (a ref it was deployed as, or a full or abbreviated SHA) instead"
          + " of last-known-good; refused, with the eligible commits, unless it passed verification here.")
  String to;

  @Option(names = "--wait", defaultValue = Requests.DEFAULT_WAIT,
      description = "How long to wait for the daemon's answer (default: ${DEFAULT-VALUE}).")
  String wait;

  @Option(names = "--no-wait", description = "Record the request and return without waiting for the answer.")
  boolean noWait;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    String key = emergency ? StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION : StagingRelease.ROLLBACK_ANNOTATION;
    if (emergency && to != null) {
      throw new IllegalArgumentException("--to and --emergency do not go together: an emergency rollback goes to"
          + " last-known-good at once; drop --to, or drop --emergency to roll back to " + to);
    }
    if (to != null && to.isBlank()) {
      throw new IllegalArgumentException("--to is empty; name a ref or commit (see `backstop history " + name + "`)");
    }
    java.time.Duration timeout = dev.backstop.operator.core.Durations.parse("--wait", wait);
    java.util.Map<String, String> parameters =
        to == null ? java.util.Map.of() : java.util.Map.of(StagingRelease.ROLLBACK_TO_ANNOTATION, to.trim());
    String value = Requests.send(state, name, key, parameters, spec.commandLine().getOut());
    if (noWait) {
      return 0;
    }
    return Requests.awaitAnswer(state, name, key, value, timeout, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
