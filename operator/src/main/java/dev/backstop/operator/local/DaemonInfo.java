package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where a running local daemon listens, so that CLI commands can nudge it. */
public record DaemonInfo(long pid, String address, int port) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILE = "daemon.json";

  static void write(Path state, DaemonInfo info) throws IOException {
    Files.createDirectories(state);
    JSON.writeValue(state.resolve(FILE).toFile(), info);
  }

  static void delete(Path state) {
    try {
      Files.deleteIfExists(state.resolve(FILE));
    } catch (IOException e) {
      // A stale file only costs a failed nudge.
    }
  }

  /** The daemon serving this state directory, if one is running. */
  public static Optional<DaemonInfo> read(Path state) {
    try {
      DaemonInfo info = JSON.readValue(state.resolve(FILE).toFile(), DaemonInfo.class);
      return ProcessHandle.of(info.pid()).filter(ProcessHandle::isAlive).map(p -> info);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
