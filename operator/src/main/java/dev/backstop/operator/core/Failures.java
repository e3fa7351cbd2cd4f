package dev.backstop.operator.core;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Says what went wrong at the bottom of an exception chain, which is what a person can act on. */
public final class Failures {

  private Failures() {}

  /** The innermost cause of {@code e}, or {@code e} itself; a cycle of causes ends the search. */
  public static Throwable root(Throwable e) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable root = e;
    seen.add(root);
    while (root.getCause() != null && seen.add(root.getCause())) {
      root = root.getCause();
    }
    return root;
  }

  /** The root cause's message, or its simple class name when it has no message. */
  public static String rootMessage(Throwable e) {
    Throwable root = root(e);
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
