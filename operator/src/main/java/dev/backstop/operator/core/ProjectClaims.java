package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who owns each (Docker host, compose project): one release each, because two releases running
 * the same project would take each other's containers over. The owner is decided the same way
 * every time, from facts every driver has: a release that has a stack deployed beats one that has
 * none (so a newcomer never takes a running stack over, not even after a restart), then the one
 * claiming since earlier (creationTimestamp in the cluster, first load in local mode), then the
 * smaller key. Every other claimant is denied with {@link Reason#DuplicateProject}.
 */
public final class ProjectClaims {

  /** The engine Docker uses when spec.compose.dockerHost is not set. */
  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  /**
   * One release's claim.
   *
   * @param key namespace/name
   * @param dockerHost spec.compose.dockerHost, null for the default engine
   * @param project the compose project name (ReleaseSettings#projectName)
   * @param deployed whether the release has a stack applied (status.current is set)
   * @param since when it started claiming; null sorts last
   */
  public record Claim(String key, String dockerHost, String project, boolean deployed, Instant since) {}

  private static final Comparator<Claim> PRECEDENCE = Comparator
      .comparing((Claim c) -> !c.deployed())
      .thenComparing(Claim::since, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(Claim::key);

  private ProjectClaims() {}

  /** The problem of each release that loses its claim, by key; releases that own theirs are absent. */
  public static Map<String, Observation.Problem> denied(Collection<Claim> claims) {
    Map<String, List<Claim>> byProject = new HashMap<>();
    for (Claim c : claims) {
      if (c.project() != null) {
        byProject.computeIfAbsent(host(c.dockerHost()) + " " + c.project(), k -> new java.util.ArrayList<>()).add(c);
      }
    }
    Map<String, Observation.Problem> denied = new HashMap<>();
    for (List<Claim> rivals : byProject.values()) {
      if (rivals.size() < 2) {
        continue;
      }
      rivals.sort(PRECEDENCE);
      Claim owner = rivals.get(0);
      for (Claim loser : rivals.subList(1, rivals.size())) {
        denied.put(loser.key(), new Observation.Problem(Reason.DuplicateProject,
            "compose project '" + loser.project() + "' on " + host(loser.dockerHost())
                + " belongs to release " + owner.key() + "; nothing is run for this release until it names"
                + " another spec.compose.projectName (or " + owner.key() + " is deleted)"));
      }
    }
    return denied;
  }

  private static String host(String dockerHost) {
    return dockerHost == null || dockerHost.isBlank() ? DEFAULT_HOST : dockerHost.trim();
  }
}
