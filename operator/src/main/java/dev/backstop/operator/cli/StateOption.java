package dev.backstop.operator.cli;

import dev.backstop.operator.local.StatusStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --state option shared by the local-mode commands. */
final class StateOption {

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "State directory of the local daemon (default: $BACKSTOP_STATE or ./.backstop).")
  Path state;

  Path dir() {
    if (state != null) {
      return state.toAbsolutePath();
    }
    String env = System.getenv("BACKSTOP_STATE");
    return Path.of(env != null && !env.isBlank() ? env : ".backstop").toAbsolutePath();
  }

  StatusStore store() {
    return new StatusStore(dir());
  }
}
