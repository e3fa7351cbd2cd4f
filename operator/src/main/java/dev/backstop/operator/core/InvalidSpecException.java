package dev.backstop.operator.core;

import java.util.List;

/** A spec that cannot be acted on; the message lists every problem, for people. */
public class InvalidSpecException extends Exception {

  private final List<String> problems;

  public InvalidSpecException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
