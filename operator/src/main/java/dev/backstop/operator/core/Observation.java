package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile observed, before deciding. Built by a driver; the core only reads it.
 *
 * @param generation the spec generation observed
 * @param source the desired commit, or why it is unknown
 * @param containers containers of the compose project
 * @param checks one result per configured check
 * @param dockerError non-null when the Docker engine could not be read
 * @param requests request annotations (backstop.dev/rollback, ...) and their current values
 * @param env the stack variables as resolved now; the containers get them on the next apply
 * @param rendered per service, what the running commit renders, or null when not known (nothing
 *     deployed, an operation in flight, or the checkout unreadable): drift is judged against it
 */
public record Observation(
    long generation,
    SourceState source,
    List<ContainerState> containers,
    List<CheckResult> checks,
    Problem dockerError,
    Map<String, String> requests,
    StackEnv env,
    Map<String, Drift.Expected> rendered) {

  /** A problem that blocks progress this reconcile. */
  public record Problem(Reason reason, String message) {}

  public Observation {
    containers = containers == null ? List.of() : List.copyOf(containers);
    checks = checks == null ? List.of() : List.copyOf(checks);
    requests = requests == null ? Map.of() : Map.copyOf(requests);
    env = env == null ? StackEnv.NONE : env;
    rendered = rendered == null ? null : Map.copyOf(rendered);
  }

  public Observation(
      long generation,
      SourceState source,
      List<ContainerState> containers,
      List<CheckResult> checks,
      Problem dockerError,
      Map<String, String> requests,
      StackEnv env) {
    this(generation, source, containers, checks, dockerError, requests, env, null);
  }

  public Observation(
      long generation,
      SourceState source,
      List<ContainerState> containers,
      List<CheckResult> checks,
      Problem dockerError,
      Map<String, String> requests) {
    this(generation, source, containers, checks, dockerError, requests, StackEnv.NONE);
  }

  /** This observation with the stack variables a driver resolved. */
  public Observation withEnv(StackEnv resolved) {
    return new Observation(generation, source, containers, checks, dockerError, requests, resolved, rendered);
  }

  /** This observation with what the running commit renders, to judge drift against. */
  public Observation withRendered(Map<String, Drift.Expected> expected) {
    return new Observation(generation, source, containers, checks, dockerError, requests, env, expected);
  }
}
