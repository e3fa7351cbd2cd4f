package dev.backstop.operator.compose;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/** Turns a CLI's raw output into a short message fit for a status field. */
final class ComposeOutput {

  /** Budget for a status message: long enough for an error, short enough for kubectl. */
  static final int STATUS_MAX_CHARS = 600;

  // CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
  private static final Pattern ANSI =
      Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(\u0007|\u001B\\\\)?");
  // Compose's plain progress events, e.g. " Container app-web-1  Started": noise in an error.
  private static final Pattern PROGRESS =
      Pattern.compile(
          "^[ \\t]*(Network|Volume|Container|Image|Service)[ \\t]+\\S+[ \\t]+"
              + "(Creating|Created|Recreate|Recreated|Starting|Started|Stopping|Stopped|Removing"
              + "|Removed|Running|Waiting|Healthy|Pulling|Pulled|Building|Built|Skipped)[ \\t]*$",
          Pattern.MULTILINE);
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final String SEPARATOR = "\n";
  private static final String ELLIPSIS = "…";

  private ComposeOutput() {}

  static String stripAnsi(String text) {
    return ANSI.matcher(text).replaceAll("");
  }

  /**
   * Keeps the last non-empty lines of {@code output} that fit in {@code maxChars}, without ANSI
   * codes. Errors come last, so the tail is what matters; a last line too long on its own is cut at
   * its end instead, since an error's head usually names the problem.
   */
  static String trimForStatus(String output, int maxChars) {
    if (output == null) {
      return "";
    }
    String[] lines = LINE_BREAK.split(stripAnsi(output));
    Deque<String> kept = new ArrayDeque<>();
    int length = 0;
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      int added = kept.isEmpty() ? line.length() : line.length() + SEPARATOR.length();
      if (length + added > maxChars) {
        if (kept.isEmpty()) {
          kept.add(line.substring(0, Math.max(0, maxChars - ELLIPSIS.length())) + ELLIPSIS);
        }
        break;
      }
      kept.addFirst(line);
      length += added;
    }
    return String.join(SEPARATOR, kept);
  }

  /** Drops Compose's progress events, unless nothing else is left. */
  static String withoutProgress(String output) {
    String stripped = PROGRESS.matcher(stripAnsi(output)).replaceAll("");
    return stripped.isBlank() ? output : stripped;
  }

  static String trimForStatus(String output) {
    return trimForStatus(output, STATUS_MAX_CHARS);
  }
}
