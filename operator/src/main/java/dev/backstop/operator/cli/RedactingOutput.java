package dev.backstop.operator.cli;

import dev.backstop.operator.core.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The process's stdout and stderr (where the log goes) line by line through the redactor, so a
 * secret in a library's message or a compose line never reaches the daemon log.
 */
final class RedactingOutput extends OutputStream {

  private final PrintStream target;
  private final Redactor redactor;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private RedactingOutput(PrintStream target, Redactor redactor) {
    this.target = target;
    this.redactor = redactor;
  }

  /** Replaces System.out and System.err by redacting streams; call before anything logs. */
  static void install(Redactor redactor) {
    System.setOut(wrap(System.out, redactor));
    System.setErr(wrap(System.err, redactor));
  }

  private static PrintStream wrap(PrintStream target, Redactor redactor) {
    return new PrintStream(new RedactingOutput(target, redactor), true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      line.write(b);
    }
  }

  @Override
  public synchronized void write(byte[] bytes, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(bytes[i]);
    }
  }

  @Override
  public synchronized void flush() {
    // Output that ends without a newline (before an exit) must still come out, redacted.
    if (line.size() > 0) {
      target.print(redactor.redact(line.toString(StandardCharsets.UTF_8)));
      line.reset();
    }
    target.flush();
  }

  @Override
  public void close() {
    flush();
  }

  private void emit() {
    target.println(redactor.redact(line.toString(StandardCharsets.UTF_8)));
    line.reset();
  }
}
