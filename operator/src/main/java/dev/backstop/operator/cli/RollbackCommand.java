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
    + " with --to to an earlier commit that passed verification, or with --service only some of its services.")
final class RollbackCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--emergency", description = "No backup, no verification gate, no fetch:"
      + " compose down --remove-orphans --timeout 1, then up of last-known-good.")
  boolean emergency;

  @Option(names = "--service", split = ",", paramLabel = "SERVICE",
      description = "Roll back only these services (comma-separated) to their last-known-good definitions;"
          + " the others stay on the running commit.")
  java.util.List<String> services;

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
    boolean gradual = services != null && !services.isEmpty();
    if (gradual && emergency) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--service and --emergency cannot be combined: an emergency rollback moves the whole release back");
    }
    if (gradual && services.stream().anyMatch(s -> s.isBlank() || s.contains(";"))) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--service needs compose service names separated by commas, e.g. --service api,worker");
    }
    if (emergency && to != null) {
      throw new IllegalArgumentException("--to and --emergency do not go together: an emergency rollback goes to"
          + " last-known-good at once; drop --to, or drop --emergency to roll back to " + to);
    }
    if (gradual && to != null) {
      throw new IllegalArgumentException("--to and --service do not go together: a service rollback takes its"
          + " services' definitions from last-known-good; drop one of them");
    }
    if (to != null && to.isBlank()) {
      throw new IllegalArgumentException("--to is empty; name a ref or commit (see `backstop history " + name + "`)");
    }
    String key = gradual ? StagingRelease.ROLLBACK_SERVICES_ANNOTATION
        : emergency ? StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION : StagingRelease.ROLLBACK_ANNOTATION;
    java.time.Duration timeout = dev.backstop.operator.core.Durations.parse("--wait", wait);
    String argument = gradual ? String.join(",", services.stream().map(String::strip).toList()) + ";" : "";
    java.util.Map<String, String> parameters =
        to == null ? java.util.Map.of() : java.util.Map.of(StagingRelease.ROLLBACK_TO_ANNOTATION, to.trim());
    String value = Requests.send(state, name, key, argument, parameters, spec.commandLine().getOut());
    if (noWait) {
      return 0;
    }
    return Requests.awaitAnswer(state, name, key, value, timeout, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
