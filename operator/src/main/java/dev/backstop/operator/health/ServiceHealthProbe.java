package dev.backstop.operator.health;

import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The serviceHealth check: every selected service has a running container, healthy where it has a
 * healthcheck. Pure: it reads what the engine reported.
 */
public final class ServiceHealthProbe {

  private ServiceHealthProbe() {}

  /**
   * Evaluates the check.
   *
   * @param check name of the check
   * @param expected services the compose file defines (or the check's subset)
   * @param containers containers of the project
   */
  public static CheckResult evaluate(
      String check, List<String> expected, List<ContainerState> containers) {
    Map<String, List<ContainerState>> byService =
        containers.stream().collect(Collectors.groupingBy(ContainerState::service, TreeMap::new, Collectors.toList()));
    List<String> failing = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> starting = new ArrayList<>();
    int healthy = 0;
    for (String service : expected) {
      List<ContainerState> cs = byService.getOrDefault(service, List.of());
      String problem = problem(service, cs);
      if (problem != null) {
        failing.add(service);
        problems.add(problem);
      } else if (cs.stream().anyMatch(c -> c.health() == Health.STARTING)) {
        starting.add(service);
      } else {
        healthy++;
      }
    }
    String value = healthy + "/" + expected.size() + " services healthy";
    if (!failing.isEmpty()) {
      return new CheckResult(check, Outcome.FAIL, value, String.join("; ", problems), failing);
    }
    if (!starting.isEmpty()) {
      return new CheckResult(
          check, Outcome.PENDING, value, "waiting for healthcheck of " + String.join(", ", starting), List.of());
    }
    return new CheckResult(check, Outcome.PASS, value, "all services running and healthy", List.of());
  }

  private static String problem(String service, List<ContainerState> cs) {
    if (cs.isEmpty()) {
      return service + " has no container";
    }
    for (ContainerState c : cs) {
      if (!c.running()) {
        return service + " is " + c.state() + (c.exitCode() == null ? "" : " (exit code " + c.exitCode() + ")");
      }
      if (c.health() == Health.UNHEALTHY) {
        return service + " is unhealthy";
      }
    }
    return null;
  }
}
