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

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String key = emergency ? StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION : StagingRelease.ROLLBACK_ANNOTATION;
    Requests.send(state, name, key, spec.commandLine().getOut());
    return 0;
  }
}
