package dev.backstop.operator.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop completion bash`: picocli's completion script for every command and option. */
@Command(
    name = "completion",
    description = "Print a shell completion script: `source <(backstop completion bash)`, or save it in"
        + " /etc/bash_completion.d/backstop.")
final class CompletionCommand implements Callable<Integer> {

  @Parameters(paramLabel = "SHELL", defaultValue = "bash",
      description = "bash (zsh runs it too, after `autoload -U bashcompinit && bashcompinit`).")
  String shell;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new IllegalArgumentException(shell + " is not a shell this prints completion for; use bash or zsh");
    }
    PrintWriter out = spec.commandLine().getOut();
    // Generated from the live command tree, so a new command or option completes without an edit.
    out.print(AutoComplete.bash("backstop", spec.root().commandLine()));
    out.flush();
    return 0;
  }
}
