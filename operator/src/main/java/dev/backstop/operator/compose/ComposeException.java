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
  private final EngineFault engineFault;

  public ComposeException(Kind kind, String message, Throwable cause) {
    this(kind, message, cause, kind == Kind.UNAVAILABLE ? EngineFault.UNREACHABLE : null);
  }

  /** A failure that is the engine's or host's ({@code engineFault} non-null) or the commit's. */
  public ComposeException(Kind kind, String message, Throwable cause, EngineFault engineFault) {
    super(message, cause);
    this.kind = kind;
    this.engineFault = engineFault;
  }

  public ComposeException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The engine's or host's fault behind this failure, or null when it may be the commit's. */
  public EngineFault engineFault() {
    return engineFault;
  }
}
