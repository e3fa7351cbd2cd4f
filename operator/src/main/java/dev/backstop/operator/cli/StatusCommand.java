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

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ReleaseSource source = state.source();
    PrintWriter out = spec.commandLine().getOut();
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
}
