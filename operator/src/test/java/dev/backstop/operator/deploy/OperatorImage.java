package dev.backstop.operator.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The operator image for ITs: built by scripts/build-operator-image.sh, whose base is cached. */
public final class OperatorImage {

  /** The repository root (tests run in operator/). */
  public static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  private OperatorImage() {}

  /** Runs the build script (seconds when its Debian base exists, a debootstrap when not), printing how long it took. */
  public static void build() throws IOException, InterruptedException {
    long start = System.nanoTime();
    Result r = run(List.of("bash", "scripts/build-operator-image.sh"), REPO, 900);
    System.out.printf("[OperatorImage] build-operator-image.sh took %.1f s:%n%s%n",
        (System.nanoTime() - start) / 1e9, r.out().strip());
    if (r.exit() != 0) {
      throw new IllegalStateException("build-operator-image.sh failed: " + r.out());
    }
  }

  /** Runs {@code command} to its end within {@code timeoutSeconds}; stdout and stderr together. */
  public static Result run(List<String> command, Path dir, int timeoutSeconds) throws IOException, InterruptedException {
    // Output to a file, so that the bound holds even for a process that never closes its stdout.
    Path log = Files.createTempFile("backstop-image", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: "
            + Files.readString(log));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** A finished process: its exit code and output. */
  public record Result(int exit, String out) {}
}
