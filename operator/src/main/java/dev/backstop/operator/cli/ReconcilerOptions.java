package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.stack.ComposeGate;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.state.StateLayout;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The options of the two commands that reconcile stacks (`run`, `operator`): where they serve and
 * what a stack may use. Each command passes its own defaults, which its help shows.
 */
final class ReconcilerOptions {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("backstop");

  // No defaultValue: picocli takes (and the help shows) the values the constructor set.
  @Option(names = "--bind", description = "Address to serve on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--compose-policy", paramLabel = "LEVEL",
      description = "Loosest compose policy a release may run under: Privileged, Baseline or Restricted;"
          + " releases that name none get it (default: ${DEFAULT-VALUE}).")
  PolicyLevel composePolicy;

  @Option(names = "--stack-env", paramLabel = "NAME[,NAME...]", split = ",",
      description = "Variables of this process's environment that every stack's compose files may use;"
          + " nothing else of it reaches docker compose (default: none).")
  Set<String> stackEnv = new LinkedHashSet<>();

  @Option(names = "--compose-concurrency", paramLabel = "N",
      description = "Compose runs that change containers (an apply's down and up, a teardown) at once per Docker"
          + " engine; rollbacks go before deploys, emergency rollbacks never wait; 0 for no bound"
          + " (default: ${DEFAULT-VALUE}).")
  int composeConcurrency = ComposeGate.DEFAULT_LIMIT;

  ReconcilerOptions(String bind, PolicyLevel composePolicy) {
    this.bind = bind;
    this.composePolicy = composePolicy;
  }

  /** The live stack (Git, Compose, Docker, health probes) these options allow, over {@code layout}. */
  LiveStack liveStack(StateLayout layout) {
    ComposeGate gate = new ComposeGate(composeConcurrency);
    LOG.info("compose runs that change containers: {} per engine (--compose-concurrency)",
        gate.limit() == 0 ? "no bound" : "at most " + gate.limit() + " at once");
    return new LiveStack(layout, Clock.systemUTC(), composePolicy, stackEnv, gate);
  }
}
