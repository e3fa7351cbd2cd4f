package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop rollback NAME`: the runbook's manual and emergency rollback, as one request. */
@Command(name = "rollback", description = "Ask the local daemon to roll a release back to last-known-good.")
final class RollbackCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--emergency", description = "No verification gate: compose down --remove-orphans, then up of last-known-good.")
  boolean emergency;

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
    java.time.Duration timeout = dev.backstop.operator.core.Durations.parse("--wait", wait);
    String value = Requests.send(state, name, key, spec.commandLine().getOut());
    if (noWait) {
      return 0;
    }
    return Requests.awaitAnswer(state, name, key, value, timeout, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
