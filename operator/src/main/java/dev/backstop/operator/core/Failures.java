package dev.backstop.operator.core;

/** Turns an exception chain into the one sentence a person needs: its root cause. */
public final class Failures {

  private Failures() {}

  /** The message of the innermost cause, or its type when it has none. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
