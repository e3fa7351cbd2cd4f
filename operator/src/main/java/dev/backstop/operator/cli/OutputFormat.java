package dev.backstop.operator.cli;

import picocli.CommandLine.Option;

/** `-o table|json` of the commands that print a table of results or the same as JSON. */
final class OutputFormat {

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  String output;

  /** Whether JSON was asked for; anything but table or json is a one-sentence error. */
  boolean json() {
    if (!output.equals("table") && !output.equals("json")) {
      throw new IllegalArgumentException("-o " + output + " is not one of table, json");
    }
    return output.equals("json");
  }
}
