package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where a running local daemon listens, so that CLI commands can nudge it. */
public record DaemonInfo(long pid, String address, int port) {

  private static final ObjectMapper JSON = new ObjectMapper();

  // Whole or absent, so a CLI that reads it while the daemon starts never sees half a port.
  static void write(Path state, DaemonInfo info) throws IOException {
    AtomicFile.write(file(state), JSON.writeValueAsBytes(info), AtomicFile.Access.OWNER_ONLY);
  }

  static void delete(Path state) {
    try {
      Files.deleteIfExists(file(state));
    } catch (IOException e) {
      // A stale file only costs a failed nudge.
    }
  }

  /** The daemon serving this state directory, if one is running. */
  public static Optional<DaemonInfo> read(Path state) {
    try {
      DaemonInfo info = JSON.readValue(file(state).toFile(), DaemonInfo.class);
      return ProcessHandle.of(info.pid()).filter(ProcessHandle::isAlive).map(p -> info);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Path file(Path state) {
    return StateLayout.local(state).daemonInfo();
  }
}
