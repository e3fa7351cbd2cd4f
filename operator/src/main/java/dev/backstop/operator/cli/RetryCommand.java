package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop retry NAME`: lift the quarantine of the desired commit once. */
@Command(name = "retry", description = "Lift the quarantine of a release's desired commit and deploy it again.")
final class RetryCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Requests.send(state, name, StagingRelease.RETRY_ANNOTATION, spec.commandLine().getOut());
    return 0;
  }
}
