package dev.backstop.operator.core.checks;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.util.List;

/**
 * An exec check: a command in the first running container of a service; exit code 0 passes.
 *
 * @param service the compose service to run the command in
 */
public record ExecCheck(CheckBasics basics, String service, List<String> command) implements Check {

  public ExecCheck {
    command = List.copyOf(command);
  }

  @Override
  public CheckType type() {
    return CheckType.EXEC;
  }

  /** Parses an exec entry; see {@link Check#from}. */
  static Check from(HealthCheckSpec c, String where, CheckDefaults defaults) {
    CheckFields f = new CheckFields(where);
    CheckBasics basics = CheckBasics.parse(c, f, defaults);
    String service = c.getService();
    if (service == null || service.isBlank()) {
      f.problem(".service is required for exec: the compose service to run the command in");
    }
    List<String> command = c.getCommand() == null ? List.of() : c.getCommand();
    if (command.isEmpty()) {
      f.problem(".command is required for exec, e.g. [redis-cli, ping]");
    } else if (command.stream().anyMatch(java.util.Objects::isNull)) {
      f.problem(".command must not hold empty (null) entries");
    }
    return f.valid() ? new ExecCheck(basics, service, command) : f.invalid(basics, CheckType.EXEC);
  }
}
