package dev.backstop.operator.compose;

/** A compose command that failed; the message is the CLI's own words, trimmed for status. */
public class ComposeException extends Exception {

  /** What kind of failure, so that callers can pick a condition reason. */
  public enum Kind {
    /** Compose files missing or malformed: nothing was touched. */
    INVALID,
    /** The command ran and failed: containers may have changed. */
    FAILED,
    /** The Docker engine or the compose CLI cannot be reached. */
    UNAVAILABLE
  }

  private final Kind kind;

  public ComposeException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public ComposeException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }
}
