package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop retry NAME`: lift the quarantine of the desired commit once. */
@Command(name = "retry", description = "Lift the quarantine of a release's desired commit and deploy it again.")
final class RetryCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--wait", defaultValue = Requests.DEFAULT_WAIT,
      description = "How long to wait for the daemon's answer (default: ${DEFAULT-VALUE}).")
  String wait;

  @Option(names = "--no-wait", description = "Record the request and return without waiting for the answer.")
  boolean noWait;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    java.time.Duration timeout = dev.backstop.operator.core.Durations.parse("--wait", wait);
    String value = Requests.send(state, name, StagingRelease.RETRY_ANNOTATION, spec.commandLine().getOut());
    if (noWait) {
      return 0;
    }
    return Requests.awaitAnswer(state, name, StagingRelease.RETRY_ANNOTATION, value, timeout, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
