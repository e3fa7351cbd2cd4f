package dev.backstop.operator.local;

import java.util.regex.Pattern;

/** Release names double as directory and compose project names, so they must be DNS-1123 labels. */
public final class ReleaseName {

  /** The rule, in words, for error messages. */
  public static final String RULE =
      "lowercase letters, digits and '-', starting and ending with a letter or digit,"
          + " at most 63 characters";

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private ReleaseName() {}

  public static boolean isValid(String name) {
    return name != null && LABEL.matcher(name).matches();
  }

  /** Returns the name, or throws if it could escape the directory it is used in. */
  public static String requireValid(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException("invalid release name '" + name + "': " + RULE);
    }
    return name;
  }
}
