package dev.backstop.operator.stack;

import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.state.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes stack variables as an env file that compose reads back literally (`env_file:` and
 * `--env-file`): owner-only, written whole then renamed.
 */
final class EnvFile {

  private EnvFile() {}

  static void write(Path file, StackEnv env) throws IOException {
    AtomicFile.createDirectories(file.getParent(), AtomicFile.Access.READABLE);
    AtomicFile.write(file, render(env).getBytes(StandardCharsets.UTF_8), AtomicFile.Access.OWNER_ONLY);
  }

  /**
   * One NAME=value line each. Compose's dotenv parser takes single-quoted values literally (no
   * ${...} expansion, no escapes); a value holding a quote or a line break is double-quoted with
   * \\, \", \$ and \n escaped instead.
   */
  static String render(StackEnv env) {
    StringBuilder out = new StringBuilder();
    env.values().forEach((name, value) -> out.append(name).append('=').append(quote(value)).append('\n'));
    return out.toString();
  }

  private static String quote(String value) {
    if (value.indexOf('\'') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return "'" + value + "'";
    }
    StringBuilder q = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> q.append("\\\\");
        case '"' -> q.append("\\\"");
        case '$' -> q.append("\\$");
        case '\n' -> q.append("\\n");
        case '\r' -> q.append("\\r");
        default -> q.append(c);
      }
    }
    return q.append('"').toString();
  }
}
