package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * metadata.generation for local mode, where no API server counts spec changes: the last spec seen
 * and its number, kept beside the status so that a restart tells an edited manifest from an
 * unchanged one.
 */
record Generation(long generation, String specJson) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Generation read(Path releaseDir) {
    Path file = new StateLayout.ReleaseDir(releaseDir).generation();
    try {
      return Files.exists(file) ? JSON.readValue(file.toFile(), Generation.class) : new Generation(0, "");
    } catch (IOException e) {
      return new Generation(0, "");
    }
  }

  // Holds the saved spec, which may name Secrets: owner-only like the status beside it.
  static void write(Path releaseDir, Generation g) {
    Path file = new StateLayout.ReleaseDir(releaseDir).generation();
    try {
      AtomicFile.write(file, JSON.writeValueAsBytes(g), AtomicFile.Access.OWNER_ONLY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
