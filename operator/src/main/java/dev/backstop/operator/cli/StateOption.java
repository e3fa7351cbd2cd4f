package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
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

  /** The recorded status of {@code name}, or an error a person can act on. */
  StagingReleaseStatus status(String name) {
    return store().read(name).orElseThrow(() -> noSuchRelease(name));
  }

  IllegalArgumentException noSuchRelease(String name) {
    return new IllegalArgumentException("no release named " + name + " in " + dir()
        + " (has `backstop run` seen its manifest?)");
  }
}
