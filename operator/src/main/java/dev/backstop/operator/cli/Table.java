package dev.backstop.operator.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** A plain text table as kubectl prints one: upper-case headers, columns padded, last one free. */
final class Table {

  private Table() {}

  /** Prints {@code rows} under the headers {@code cols} (each row maps every column to a value). */
  static void print(PrintWriter out, String[] cols, List<Map<String, String>> rows) {
    int[] width = new int[cols.length];
    for (int i = 0; i < cols.length; i++) {
      width[i] = cols[i].length();
      for (Map<String, String> r : rows) {
        width[i] = Math.max(width[i], i == cols.length - 1 ? 0 : r.get(cols[i]).length());
      }
    }
    StringBuilder header = new StringBuilder();
    for (int i = 0; i < cols.length; i++) {
      header.append(pad(cols[i].toUpperCase(java.util.Locale.ROOT), i == cols.length - 1 ? 0 : width[i] + 2));
    }
    out.println(header.toString().stripTrailing());
    for (Map<String, String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols.length; i++) {
        line.append(pad(r.get(cols[i]), i == cols.length - 1 ? 0 : width[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String pad(String s, int width) {
    return width == 0 ? s : String.format("%-" + width + "s", s);
  }
}
