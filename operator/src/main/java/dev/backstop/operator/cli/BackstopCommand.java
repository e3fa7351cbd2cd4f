package dev.backstop.operator.cli;

import dev.backstop.operator.core.Redactor;
import dev.backstop.operator.stack.LiveStack;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `backstop` command: local daemon, operator, and the commands people run against them. */
@Command(
    name = "backstop",
    mixinStandardHelpOptions = true,
    // Every subcommand gets --help and --version too: people type `backstop status --help`.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = BackstopCommand.Version.class,
    description = "Keeps Docker Compose stacks on a git ref and rolls them back to last-known-good.",
    subcommands = {
      RunCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      ReportCommand.class,
      WaitCommand.class,
      RollbackCommand.class,
      RetryCommand.class,
      SuspendCommand.class,
      SuspendCommand.Resume.class,
      BackupsCommand.class,
      BackupCommand.class,
      VerifyBackupCommand.class,
      OperatorCommand.class,
      VerifyCommand.class,
      DoctorCommand.class,
      InitCommand.class,
      CompletionCommand.class,
      DiffCommand.class,
      LogsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BackstopCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    RedactingOutput.install(Redactor.patterns().with(LiveStack.processSecrets(System::getenv)));
    Logging.configure();
    System.exit(commandLine().execute(args));
  }

  /** The command line with Backstop's error handling: messages for people, not stack traces. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BackstopCommand());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      if (Boolean.getBoolean("backstop.debug")) {
        e.printStackTrace(commandLine.getErr());
      }
      return 2;
    });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BackstopCommand.class.getPackage().getImplementationVersion();
      return new String[] {"backstop " + (v == null ? "dev" : v)};
    }
  }
}
