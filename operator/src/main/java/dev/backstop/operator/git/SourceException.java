package dev.backstop.operator.git;

/** A ref that cannot be resolved or a repository that cannot be read; the message is for people. */
public class SourceException extends Exception {

  /** What kind of failure, so that callers can pick a condition reason. */
  public enum Kind {
    REF_NOT_FOUND,
    UNAVAILABLE,
    /** The commit's own tree is unsafe to use (a symlink out of the checkout): its fault. */
    UNSAFE
  }

  private final Kind kind;

  public SourceException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public SourceException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }
}
