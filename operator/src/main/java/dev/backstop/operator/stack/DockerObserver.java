package dev.backstop.operator.stack;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.ComposePolicy;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.ReleaseDecider;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.SourceState;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
import dev.backstop.operator.core.checks.ServiceHealthJudge;
import dev.backstop.operator.core.Timestamps;
import dev.backstop.operator.engine.Observer;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.state.StateLayout;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Observes a release through git, the Docker engine and the background probes. */
public final class DockerObserver implements Observer {

  private final DockerHosts docker;
  private final SourceRepository git;
  private final ContainerObserver containers;
  private final HealthMonitor health;
  private final ServiceCatalog services;
  private final Clock clock;
  private final PolicyLevel ceiling;

  /** An observer with no policy ceiling (Privileged). */
  public DockerObserver(
      DockerHosts docker,
      SourceRepository git,
      ContainerObserver containers,
      HealthMonitor health,
      ServiceCatalog services,
      Clock clock) {
    this(docker, git, containers, health, services, clock, PolicyLevel.Privileged);
  }

  /** @param ceiling the operator's --compose-policy: a release may not ask for looser */
  public DockerObserver(
      DockerHosts docker,
      SourceRepository git,
      ContainerObserver containers,
      HealthMonitor health,
      ServiceCatalog services,
      Clock clock,
      PolicyLevel ceiling) {
    this.ceiling = ceiling;
    this.docker = docker;
    this.git = git;
    this.containers = containers;
    this.health = health;
    this.services = services;
    this.clock = clock;
  }

  @Override
  public Observation observe(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus previous) {
    boolean emergency = emergencyPending(release, previous);
    SourceState source = resolve(release, settings, previous, emergency);
    ComposeSpec compose = release.spec() == null ? null : release.spec().getCompose();
    Optional<String> looser = ComposePolicy.ceilingProblem(compose == null ? null : compose.getPolicy(), ceiling);
    if (looser.isPresent()) {
      // The spec's fault, not the commit's: nothing is applied until the spec or the ceiling changes.
      return observation(release, source, List.of(), List.of(),
          new Observation.Problem(Reason.PolicyViolation, looser.get()));
    }
    Observation.Problem tls = docker.useTls(release.key(), settings.dockerHost(), release.access().dockerTls(),
        new StateLayout.ReleaseDir(release.workDir()).dockerTls());
    if (tls != null) {
      return observation(release, source, List.of(), List.of(), tls);
    }
    DockerEndpoint endpoint = docker.endpoint(release.key(), settings.dockerHost());
    List<ContainerState> observed;
    try {
      observed = containers.containers(settings.projectName(), endpoint);
    } catch (ComposeException e) {
      return observation(release, source, List.of(), List.of(),
          new Observation.Problem(Reason.DockerUnavailable, e.getMessage()));
    }
    String commit = previous == null || previous.getCurrent() == null ? null : previous.getCurrent().getCommit();
    List<String> expected = services.expected(settings, endpoint, commit, release.workDir(), observed);
    List<CheckResult> results = new ArrayList<>();
    for (Check check : settings.checks()) {
      if (check instanceof ServiceHealthCheck serviceHealth) {
        results.add(ServiceHealthJudge.evaluate(serviceHealth, expected, observed));
      }
    }
    // Probed checks run in the background; a reconcile reads their latest results, never waits.
    String epoch = commit == null ? "none" : commit + "@" + previous.getCurrent().getTime();
    results.addAll(health.results(release.key(), settings, epoch,
        new HealthMonitor.Target(endpoint, observed, expected)));
    Observation observation = observation(release, source, observed, results, null);
    // Mid-operation the containers are on their way to another commit: that is no drift. Nor is
    // it judged before an emergency rollback, which replaces the stack whatever drifted: rendering
    // the running commit (two compose runs the first time) held the emergency back by ~0.5 s.
    boolean settled = commit != null && previous.getOperation() == null && !emergency;
    return settled
        ? observation.withRendered(services.rendered(settings, endpoint, commit, release.workDir(), release.access().env()))
        : observation;
  }

  /** Whether an emergency rollback request waits: this reconcile acts on it and on nothing else. */
  private static boolean emergencyPending(ReleaseInput release, StagingReleaseStatus previous) {
    return previous != null
        && ReleaseDecider.unhandled(previous, release.requests(), StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION);
  }

  private SourceState resolve(
      ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus previous, boolean emergency) {
    Instant lastFetch = previous == null ? null : Timestamps.parse(previous.getLastFetchTime());
    boolean specChanged = previous == null || previous.getObservedGeneration() == null
        || previous.getObservedGeneration() != release.generation();
    // A push webhook asks by the driver's flag (local) or by the fetch request annotation, which
    // any replica can set and the leader sees (cluster).
    boolean pushed = release.fetchNow()
        || previous != null && ReleaseDecider.unhandled(previous, release.requests(), StagingRelease.FETCH_ANNOTATION);
    boolean due = pushed || specChanged || lastFetch == null
        || !clock.instant().isBefore(lastFetch.plus(settings.pollInterval()));
    // An emergency rollback goes to a kept checkout: it must not wait for a remote that may be
    // slow or gone. The fetch that was due happens at the next reconcile.
    boolean fetch = due && !emergency;
    try {
      return SourceState.resolved(git.resolve(release.key(), settings.url(), settings.ref(), fetch, release.access().git()), fetch);
    } catch (SourceException e) {
      boolean refNotFound = e.kind() == SourceException.Kind.REF_NOT_FOUND;
      Reason reason = refNotFound ? Reason.RefNotFound : Reason.SourceUnavailable;
      // A ref that names nothing was looked up after the fetch worked; anything else means the
      // fetch (or the cache) failed, and lastFetchTime must not claim otherwise.
      return SourceState.failed(reason, e.getMessage(), fetch && refNotFound);
    }
  }

  private static Observation observation(
      ReleaseInput release, SourceState source, List<ContainerState> observed, List<CheckResult> checks,
      Observation.Problem problem) {
    return new Observation(release.generation(), source, observed, checks, problem, release.requests());
  }
}
