package dev.backstop.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop status [NAME]`: what `kubectl get sr` shows, from the local state directory. */
@Command(name = "status", description = "Show releases like `kubectl get sr`; -o json for the full status; -A for every namespace.")
final class StatusCommand implements Callable<Integer> {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "One release; all when omitted.")
  String name;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, wide or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = {"-w", "--watch"}, description = "After the table, print a row each time a release changes (like `kubectl get -w`); ends on Ctrl-C.")
  boolean watch;

  @Option(names = "--interval", defaultValue = "500ms", hidden = true, description = "How often --watch reads the status files.")
  String interval;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ReleaseSource source = state.source();
    PrintWriter out = spec.commandLine().getOut();
    if (watch) {
      return watch(source, out);
    }
    Map<String, StagingReleaseStatus> statuses = new LinkedHashMap<>();
    if (name != null) {
      statuses.put(name, state.status(name));
    } else {
      statuses.putAll(source.all());
    }
    switch (output) {
      case "json" -> out.println(JSON.writeValueAsString(name != null ? statuses.get(name) : statuses));
      case "table", "wide" -> {
        if (statuses.isEmpty()) {
          out.println("No releases in " + source.where());
        } else {
          StatusTable.releases(out, statuses, output.equals("wide"), Instant.now());
        }
        source.problems().forEach(out::println);
      }
      default -> throw new IllegalArgumentException("-o " + output + " is not one of table, wide, json");
    }
    out.flush();
    return 0;
  }

  // Polls the recorded statuses (status files locally, so no daemon is needed and a daemon
  // stopping and starting shows; the API in a cluster). Runs until interrupted (Ctrl-C).
  private int watch(ReleaseSource source, PrintWriter out) throws Exception {
    if (!output.equals("table") && !output.equals("wide")) {
      throw new IllegalArgumentException("--watch prints table rows; use -o table or -o wide with it");
    }
    if (name != null) {
      state.status(name);
    }
    java.time.Duration every = dev.backstop.operator.core.Durations.parse("--interval", interval);
    StatusWatch watcher = new StatusWatch(output.equals("wide"));
    boolean announced = false;
    while (!Thread.currentThread().isInterrupted()) {
      Map<String, StagingReleaseStatus> now = new LinkedHashMap<>();
      if (name != null) {
        source.find(name).ifPresent(s -> now.put(name, s));
      } else {
        now.putAll(source.all());
      }
      if (now.isEmpty() && !announced) {
        out.println("No releases in " + source.where() + " yet; waiting for some (Ctrl-C to stop)");
        announced = true;
      }
      for (String line : watcher.lines(now, Instant.now())) {
        out.println(line);
      }
      out.flush();
      Thread.sleep(every.toMillis());
    }
    return 0;
  }
}
