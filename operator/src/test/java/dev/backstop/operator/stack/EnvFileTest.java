package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.core.StackEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The env file is owner-only and quotes values so that compose reads them back literally. */
class EnvFileTest {

  @TempDir Path dir;

  @Test
  void writesOwnerOnlyWithLiteralQuoting() throws Exception {
    Path file = dir.resolve("sub/.env");
    EnvFile.write(file, StackEnv.of(Map.of("A", "plain $HOME ${X}", "B", "it's \"q\" \\ $Y", "C", "two\nlines")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).isEqualTo(
        "A='plain $HOME ${X}'\nB=\"it's \\\"q\\\" \\\\ \\$Y\"\nC=\"two\\nlines\"\n");
  }
}
