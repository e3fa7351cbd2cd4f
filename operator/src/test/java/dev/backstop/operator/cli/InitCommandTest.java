package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `backstop init`'s refusals: one sentence and exit 2, and nothing written. */
class InitCommandTest {

  @TempDir Path tmp;

  @Test
  void anExistingOutputFileIsNeverOverwritten() throws Exception {
    Path file = Files.writeString(tmp.resolve("shop.yaml"), "mine\n");
    Result r = init("--repo", tmp.resolve("repo").toString(), "-o", file.toString());
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("error: -o " + file + " exists; remove it or name another file");
    assertThat(Files.readString(file)).isEqualTo("mine\n");
  }

  @Test
  void aRepositoryThatIsNotThereIsOneSentence() {
    Path missing = tmp.resolve("nowhere");
    Result r = init("--repo", missing.toString(), "-o", tmp.resolve("out.yaml").toString());
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err.strip()).startsWith("error: ").contains(missing.toString(), "does not exist")
        .doesNotContain("Exception");
    assertThat(tmp.resolve("out.yaml")).doesNotExist();
  }

  private static Result init(String... args) {
    CommandLine cl = BackstopCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "init";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = cl.execute(all);
    return new Result(exit, out.toString(), err.toString());
  }

  private record Result(int exit, String out, String err) {}
}
