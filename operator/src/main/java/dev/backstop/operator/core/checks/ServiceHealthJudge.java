package dev.backstop.operator.core.checks;

import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ContainerState.Health;
import dev.backstop.operator.core.Percentages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Judges the serviceHealth check: every selected service has a running container, healthy where it
 * has a healthcheck. It probes nothing: it reads the containers the engine observed.
 */
public final class ServiceHealthJudge {

  private ServiceHealthJudge() {}

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
      } else if (cs.stream().anyMatch(ServiceHealthJudge::notYet)) {
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
          check, Outcome.PENDING, value, "waiting for " + String.join(", ", starting)
              + " to start (healthcheck starting, or restarting by its restart policy)", List.of());
    }
    return new CheckResult(check, Outcome.PASS, value, "all services running and healthy", List.of());
  }

  /**
   * Evaluates a serviceHealth check with its subset and minimum share: a lower share of healthy
   * services fails, exactly the minimum passes. Services the compose files do not define make the
   * check an error (its definition is wrong), not a failure.
   *
   * @param defined services the running commit's compose files define (empty when unknown)
   */
  public static CheckResult evaluate(ServiceHealthCheck check, List<String> defined, List<ContainerState> containers) {
    List<String> selected = check.services().isEmpty() ? defined : check.services();
    if (!defined.isEmpty()) {
      List<String> unknown = check.services().stream().filter(s -> !defined.contains(s)).toList();
      if (!unknown.isEmpty()) {
        return new CheckResult(check.name(), Outcome.ERROR, "?", "services " + unknown
            + " are not defined in the compose files (they define " + defined + "); fix the check's services", List.of());
      }
    }
    CheckResult all = evaluate(check.name(), selected, containers);
    if (check.minimum() >= 1.0 || selected.isEmpty() || all.outcome() == Outcome.PASS) {
      return all;
    }
    long healthy = selected.stream().filter(s -> problem(s, containersOf(s, containers)) == null
        && containersOf(s, containers).stream().noneMatch(ServiceHealthJudge::notYet)).count();
    long notFailing = selected.size() - all.failingServices().size();
    double share = (double) healthy / selected.size();
    String value = Percentages.format(share) + " (" + all.value() + ")";
    String minimum = Percentages.format(check.minimum());
    if (share + 1e-12 >= check.minimum()) {
      return new CheckResult(check.name(), Outcome.PASS, value, "at least " + minimum + " healthy; " + all.message(),
          List.of());
    }
    if ((double) notFailing / selected.size() + 1e-12 >= check.minimum()) {
      return new CheckResult(check.name(), Outcome.PENDING, value, all.message(), List.of());
    }
    return new CheckResult(check.name(), Outcome.FAIL, value, "below the " + minimum + " minimum: " + all.message(),
        all.failingServices());
  }

  /** Neither failing nor healthy yet: its healthcheck is starting, or Docker is restarting it. */
  private static boolean notYet(ContainerState c) {
    return c.health() == Health.STARTING || c.restartingByPolicy();
  }

  private static List<ContainerState> containersOf(String service, List<ContainerState> containers) {
    return containers.stream().filter(c -> service.equals(c.service())).toList();
  }

  private static String problem(String service, List<ContainerState> cs) {
    if (cs.isEmpty()) {
      return service + " has no container";
    }
    for (ContainerState c : cs) {
      if (c.restartingByPolicy()) {
        continue;
      }
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
