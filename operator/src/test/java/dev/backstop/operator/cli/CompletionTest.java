package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `backstop completion bash` is a script the real bash sources and completes commands with. */
class CompletionTest {

  @TempDir Path tmp;

  @Test
  void bashSourcesTheScriptAndCompletesSubcommandsAndOptions() throws Exception {
    CommandLine cl = BackstopCommand.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("completion", "bash")).isZero();
    Path script = Files.writeString(tmp.resolve("backstop-completion.bash"), out.toString());
    // What bash does on TAB: COMP_WORDS/COMP_CWORD set, the registered function fills COMPREPLY.
    String probe = """
        source %s || exit 3
        complete -p backstop
        complete_for() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE};
          COMPREPLY=(); _complete_backstop; echo "${COMPREPLY[*]}"; }
        complete_for backstop do
        complete_for backstop ""
        # compopt only works inside a real TAB press; outside one it complains and changes nothing.
        complete_for backstop doctor --man 2>/dev/null
        """.formatted(script);
    Process bash = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
    String result = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(result).isZero();
    String[] lines = result.strip().split("\n");
    assertThat(lines[0]).contains("complete", "_complete_backstop", "backstop");
    assertThat(lines[1].split(" ")).containsExactly("doctor");
    assertThat(lines[2].split(" ")).contains("run", "status", "doctor", "init", "completion", "rollback");
    assertThat(lines[3].split(" ")).containsExactly("--manifests");
  }

  @Test
  void anUnknownShellIsOneSentence() {
    CommandLine cl = BackstopCommand.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("completion", "fish")).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("error: fish is not a shell this prints completion for; use bash or zsh");
  }
}
