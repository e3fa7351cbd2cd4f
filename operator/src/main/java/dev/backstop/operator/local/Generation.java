package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * metadata.generation for local mode, where no API server counts spec changes: the last spec seen
 * and its number, kept beside the status so that a restart tells an edited manifest from an
 * unchanged one.
 */
record Generation(long generation, String specJson) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILE = "generation.json";

  static Generation read(Path releaseDir) {
    Path file = releaseDir.resolve(FILE);
    try {
      return Files.exists(file) ? JSON.readValue(file.toFile(), Generation.class) : new Generation(0, "");
    } catch (IOException e) {
      return new Generation(0, "");
    }
  }

  static void write(Path releaseDir, Generation g) {
    try {
      Files.createDirectories(releaseDir);
      Path tmp = Files.createTempFile(releaseDir, FILE, ".tmp");
      JSON.writeValue(tmp.toFile(), g);
      Files.move(tmp, releaseDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + releaseDir.resolve(FILE), e);
    }
  }
}
