package dev.backstop.operator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop suspend NAME`: sets spec.suspend, so nothing is deployed or rolled back. */
@Command(name = "suspend", description = "Stop deploying and rolling back a release (spec.suspend: true).")
final class SuspendCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return set(state, name, true, spec);
  }

  static int set(StateOption state, String name, boolean suspend, picocli.CommandLine.Model.CommandSpec spec) {
    state.source().suspend(name, suspend);
    spec.commandLine().getOut().println(name + (suspend ? " suspended" : " resumed"));
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** `backstop resume NAME`: clears spec.suspend. */
  @Command(name = "resume", description = "Deploy and roll back a suspended release again (spec.suspend: false).")
  static final class Resume implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin StateOption state;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return set(state, name, false, spec);
    }
  }
}
