package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop wait NAME --for ...`: like `kubectl wait`, for scripts and CI. */
@Command(name = "wait", description = "Wait until a release reaches a phase or condition; exit 1 on timeout.")
final class WaitCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--for", required = true, paramLabel = "WHAT",
      description = "phase=PHASE, condition=TYPE[=STATUS] (STATUS defaults to True), or current=REF.")
  String what;

  @Option(names = "--timeout", defaultValue = "2m", description = "How long to wait (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Predicate<StagingReleaseStatus> goal = parse(what);
    Instant deadline = Instant.now().plus(Durations.parse("--timeout", timeout));
    ReleaseSource store = state.source();
    PrintWriter out = spec.commandLine().getOut();
    Optional<StagingReleaseStatus> s = store.find(name);
    while (s.isEmpty() || !goal.test(s.get())) {
      if (Instant.now().isAfter(deadline)) {
        out.println("timed out after " + timeout + " waiting for " + name + " " + what + "; phase is "
            + s.map(x -> String.valueOf(x.getPhase())).orElse("unknown"));
        out.flush();
        return 1;
      }
      TimeUnit.MILLISECONDS.sleep(200);
      s = store.find(name);
    }
    out.println(name + " " + what);
    out.flush();
    return 0;
  }

  static Predicate<StagingReleaseStatus> parse(String what) {
    String[] kv = what.split("=", 3);
    if (kv.length < 2) {
      throw new IllegalArgumentException("--for " + what + ": use phase=Healthy, condition=Ready[=True] or current=v1");
    }
    return switch (kv[0]) {
      case "phase" -> s -> s.getPhase() != null && s.getPhase().name().equalsIgnoreCase(kv[1]);
      case "current" -> s -> s.getCurrent() != null && kv[1].equals(s.getCurrent().getRef());
      case "condition" -> {
        ConditionType type = ConditionType.valueOf(kv[1]);
        String status = kv.length == 3 ? kv[2] : "True";
        yield s -> {
          Condition c = Conditions.find(s.getConditions(), type);
          return c != null && c.getStatus().name().equalsIgnoreCase(status);
        };
      }
      default -> throw new IllegalArgumentException("--for " + what + ": use phase=, condition= or current=");
    };
  }
}
