package dev.backstop.operator.local;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Why a manifest document was not loaded; {@code name} is set when it names a release that should
 * be reported Ready=False, and null when no release can be blamed.
 */
public record ManifestProblem(Path file, String name, String message) {

  public ManifestProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }
}
