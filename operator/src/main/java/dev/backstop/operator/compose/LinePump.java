package dev.backstop.operator.compose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Drains one output stream of a child process on its own thread, so that a chatty child never
 * blocks on a full pipe, and keeps its last lines.
 */
final class LinePump {

  private final Thread thread;
  private final Deque<String> lines = new ArrayDeque<>();
  private final int maxLines;

  private LinePump(InputStream in, int maxLines, Consumer<String> log, String threadName) {
    this.maxLines = maxLines;
    this.thread = new Thread(() -> drain(in, log), threadName);
    // A stuck child must not keep the JVM alive.
    thread.setDaemon(true);
  }

  /** Starts draining {@code in}; each line goes to {@code log} as it arrives. */
  static LinePump start(InputStream in, int maxLines, Consumer<String> log, String threadName) {
    LinePump pump = new LinePump(in, maxLines, log, threadName);
    pump.thread.start();
    return pump;
  }

  private void drain(InputStream in, Consumer<String> log) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        log.accept(line);
        synchronized (lines) {
          lines.addLast(line);
          if (lines.size() > maxLines) {
            lines.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // The stream closes under us when the process is killed: what was read so far is kept.
    }
  }

  /**
   * Waits up to {@code millis} for the stream to end, then returns what was kept. A grandchild that
   * inherited the pipe could hold it open after the child died, hence the bound.
   */
  String await(long millis) throws InterruptedException {
    thread.join(millis);
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }
}
