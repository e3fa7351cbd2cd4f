package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `run` and `operator` share their stack options but keep their own defaults, as before the mixin. */
class ReconcilerOptionsTest {

  @Test
  void eachCommandKeepsItsDefaults() {
    ReconcilerOptions run = options(parse("run", "--manifests", "m"));
    assertThat(run.bind).isEqualTo("127.0.0.1");
    assertThat(run.composePolicy).isEqualTo(PolicyLevel.Privileged);
    assertThat(run.stackEnv).isEmpty();
    ReconcilerOptions operator = options(parse("operator"));
    assertThat(operator.bind).isEqualTo("0.0.0.0");
    assertThat(operator.composePolicy).isEqualTo(PolicyLevel.Baseline);
    assertThat(operator.stackEnv).isEmpty();
    assertThat(run.composeConcurrency).isEqualTo(1);
    assertThat(operator.composeConcurrency).isEqualTo(1);
  }

  @Test
  void bothCommandsParseTheSharedOptions() {
    for (String[] args : new String[][] {{"run", "--manifests", "m"}, {"operator"}}) {
      String[] all = new String[args.length + 5];
      System.arraycopy(args, 0, all, 0, args.length);
      System.arraycopy(new String[] {"--bind=10.0.0.1", "--compose-policy=Restricted", "--stack-env=A,B",
          "--stack-env=C", "--compose-concurrency=3"}, 0, all, args.length, 5);
      ReconcilerOptions o = options(parse(all));
      assertThat(o.bind).as(args[0]).isEqualTo("10.0.0.1");
      assertThat(o.composePolicy).as(args[0]).isEqualTo(PolicyLevel.Restricted);
      assertThat(o.stackEnv).as(args[0]).containsExactly("A", "B", "C");
      assertThat(o.composeConcurrency).as(args[0]).isEqualTo(3);
    }
  }

  private static CommandLine.ParseResult parse(String... args) {
    return BackstopCommand.commandLine().parseArgs(args);
  }

  private static ReconcilerOptions options(CommandLine.ParseResult parsed) {
    Object command = parsed.subcommand().commandSpec().userObject();
    return command instanceof RunCommand r ? r.reconciler : ((OperatorCommand) command).reconciler;
  }
}
