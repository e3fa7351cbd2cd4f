package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.compose.DockerEndpoints;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.Decision;
import dev.backstop.operator.core.ImageSettings;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.ReleaseDecider;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.SourceState;
import dev.backstop.operator.core.Timestamps;
import dev.backstop.operator.core.Transitions;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
import dev.backstop.operator.core.checks.ServiceHealthJudge;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one release, the same for every driver: observe (git, Docker, checks), decide
 * (the pure core), act (one apply at most), record (status before and after acting, events).
 */
public final class ReleaseEngine {

  private static final Logger LOG = LoggerFactory.getLogger(ReleaseEngine.class);

  /** Where a driver keeps a release's status and learns what happened. */
  public interface Recorder {
    /** Persists the status; called before acting and after, so a restart resumes. */
    void record(StagingReleaseStatus status);

    /** Called once per transition, never for an unchanged state. */
    void event(ReleaseEvent event);
  }

  private final SourceRepository git;
  private final ComposeDriver compose;
  private final ContainerObserver containers;
  private final ReleaseDecider decider = new ReleaseDecider();
  private final StackImages images;
  private final Clock clock;
  private final DatabaseBackups backups;
  // Services each applied commit defines, so the serviceHealth check knows what should run.
  private final Map<String, List<String>> servicesByCheckout = new ConcurrentHashMap<>();

  private final HealthMonitor health;

  public ReleaseEngine(SourceRepository git, ComposeDriver compose, ContainerObserver containers, Clock clock) {
    this(git, compose, containers, clock, new DockerDatabaseBackups(), new HealthMonitor(new LiveProbes(clock), clock));
  }

  /** An engine with its own database backup adapter (tests use a real one on a test image). */
  public ReleaseEngine(
      SourceRepository git, ComposeDriver compose, ContainerObserver containers, Clock clock, DatabaseBackups backups) {
    this(git, compose, containers, clock, backups, new HealthMonitor(new LiveProbes(clock), clock));
  }

  /** An engine whose probed checks (http, exec, prometheus, ...) run on {@code health}. */
  public ReleaseEngine(
      SourceRepository git, ComposeDriver compose, ContainerObserver containers, Clock clock, HealthMonitor health) {
    this(git, compose, containers, clock, new DockerDatabaseBackups(), health);
  }

  public ReleaseEngine(
      SourceRepository git,
      ComposeDriver compose,
      ContainerObserver containers,
      Clock clock,
      DatabaseBackups backups,
      HealthMonitor health) {
    this.backups = backups;
    this.health = health;
    this.git = git;
    this.compose = compose;
    this.containers = containers;
    this.clock = clock;
    this.images = new StackImages(compose);
  }

  /**
   * The key of a release's background probes and of {@link HealthMonitor} news: namespace/name,
   * because two namespaces may each hold a release of the same name. No namespace means "default",
   * as local mode loads manifests.
   */
  public static String healthKey(StagingRelease release) {
    String namespace = release.getMetadata().getNamespace();
    return (namespace == null || namespace.isEmpty() ? "default" : namespace) + "/" + release.getMetadata().getName();
  }

  /** The background probes; drivers subscribe to its news to reconcile at once. */
  public HealthMonitor health() {
    return health;
  }

  /**
   * Reconciles once.
   *
   * @param generation the spec generation (metadata.generation in the cluster)
   * @param requests request annotation values (backstop.dev/rollback, ...)
   * @param workDir the release's own directory: per-commit checkouts live below it
   * @return when to reconcile again at the latest
   */
  public Duration reconcile(
      StagingRelease release,
      long generation,
      Map<String, String> requests,
      StagingReleaseStatus previous,
      Path workDir,
      Recorder recorder) {
    return reconcile(release, generation, requests, previous, workDir, recorder, Access.NONE);
  }

  /** Reconciles once with the credentials (or credential problem) a driver resolved. */
  public Duration reconcile(
      StagingRelease release,
      long generation,
      Map<String, String> requests,
      StagingReleaseStatus previous,
      Path workDir,
      Recorder recorder,
      Access access) {
    String name = release.getMetadata().getName();
    Observation obs = access.problem() != null
        ? new Observation(generation, SourceState.failed(access.problem().reason(), access.problem().message(), false),
            List.of(), List.of(), access.problem(), requests)
        : observe(release, generation, requests, previous, workDir, access);
    Decision decision = decider.decide(name, release.getSpec(), previous, obs, clock.instant());
    record(recorder, previous, decision.status());
    if (decision.action() instanceof Action.Backup backup) {
      BackupOutcome outcome = backup(release, backup, workDir);
      Decision after = decider.completeBackup(name, release.getSpec(), decision.status(), backup, outcome, obs, clock.instant());
      record(recorder, decision.status(), after.status());
      if (after.action() instanceof Action.DeleteBackups expired) {
        deleteBackups(release, expired, workDir);
      }
      return after.requeueAfter();
    }
    if (decision.action() instanceof Action.Restore restore) {
      BackupOutcome outcome = restore(release, restore, workDir);
      Decision after = decider.completeRestore(name, release.getSpec(), decision.status(), restore, outcome, obs, clock.instant());
      record(recorder, decision.status(), after.status());
      return after.requeueAfter();
    }
    if (!(decision.action() instanceof Action.Apply apply)) {
      return decision.requeueAfter();
    }
    ApplyOutcome outcome = apply(release, apply, workDir, access);
    Decision after = decider.complete(name, release.getSpec(), decision.status(), apply, outcome, obs, clock.instant());
    record(recorder, decision.status(), after.status());
    if (outcome.ok()) {
      if (outcome.note() != null) {
        recorder.event(new ReleaseEvent(ReleaseEvent.Type.Warning, ReleaseEvent.Kind.ImagesRebuilt, outcome.note()));
      }
      retainImages(release, after.status());
    }
    return after.requeueAfter();
  }

  private static void record(Recorder recorder, StagingReleaseStatus before, StagingReleaseStatus after) {
    recorder.record(after);
    for (ReleaseEvent e : Transitions.between(before, after)) {
      recorder.event(e);
    }
  }

  private Observation observe(
      StagingRelease release, long generation, Map<String, String> requests, StagingReleaseStatus previous, Path workDir,
      Access access) {
    ReleaseSettings settings;
    try {
      settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
    } catch (InvalidSpecException e) {
      return new Observation(generation, SourceState.failed(Reason.InvalidSpec, e.getMessage(), false), List.of(), List.of(), null, requests);
    }
    SourceState source = resolve(settings, generation, previous, access);
    Observation.Problem tls =
        DockerAccess.install(settings.dockerHost(), workDir, access.dockerTls(), DockerEndpoints.shared());
    if (tls != null) {
      return new Observation(generation, source, List.of(), List.of(), tls, requests);
    }
    List<ContainerState> observed;
    try {
      observed = containers.containers(settings.projectName(), settings.dockerHost());
    } catch (ComposeException e) {
      return new Observation(generation, source, List.of(), List.of(),
          new Observation.Problem(Reason.DockerUnavailable, e.getMessage()), requests);
    }
    List<CheckResult> results = new ArrayList<>();
    List<String> expected = expectedServices(settings, previous, observed, workDir);
    for (Check check : settings.checks()) {
      if (check instanceof ServiceHealthCheck serviceHealth) {
        results.add(ServiceHealthJudge.evaluate(serviceHealth, expected, observed));
      }
    }
    // Probed checks run in the background; a reconcile reads their latest results, never waits.
    String epoch = previous == null || previous.getCurrent() == null
        ? "none" : previous.getCurrent().getCommit() + "@" + previous.getCurrent().getTime();
    results.addAll(health.results(healthKey(release), settings, epoch,
        new HealthMonitor.Target(settings.dockerHost(), observed, expected)));
    return new Observation(generation, source, observed, results, null, requests);
  }

  private SourceState resolve(
      ReleaseSettings settings, long generation, StagingReleaseStatus previous, Access access) {
    Instant lastFetch = previous == null ? null : Timestamps.parse(previous.getLastFetchTime());
    boolean specChanged = previous == null || previous.getObservedGeneration() == null
        || previous.getObservedGeneration() != generation;
    boolean fetch = specChanged || lastFetch == null
        || !clock.instant().isBefore(lastFetch.plus(settings.pollInterval()));
    try {
      return SourceState.resolved(git.resolve(settings.url(), settings.ref(), fetch, access.git()), fetch);
    } catch (SourceException e) {
      Reason reason = e.kind() == SourceException.Kind.REF_NOT_FOUND ? Reason.RefNotFound : Reason.SourceUnavailable;
      return SourceState.failed(reason, e.getMessage(), fetch);
    }
  }

  /** The services the running commit's compose files define; what Docker shows if unknown. */
  private List<String> expectedServices(
      ReleaseSettings settings, StagingReleaseStatus previous, List<ContainerState> observed, Path workDir) {
    String commit = previous == null || previous.getCurrent() == null ? null : previous.getCurrent().getCommit();
    if (commit != null) {
      Path dir = workDir.resolve("checkouts").resolve(commit).resolve(settings.composePath());
      List<String> known = servicesByCheckout.get(dir.toString());
      if (known != null) {
        return known;
      }
      if (Files.isDirectory(dir)) {
        try {
          List<String> services = compose.services(project(settings, dir));
          servicesByCheckout.put(dir.toString(), services);
          return services;
        } catch (ComposeException e) {
          LOG.debug("cannot list services of {}: {}", dir, e.getMessage());
        }
      }
    }
    return observed.stream().map(ContainerState::service).distinct().sorted().toList();
  }

  private ApplyOutcome apply(StagingRelease release, Action.Apply apply, Path workDir, Access access) {
    ReleaseSettings settings;
    try {
      settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
    } catch (InvalidSpecException e) {
      return ApplyOutcome.untouched(Reason.InvalidSpec, e.getMessage());
    }
    String commit = apply.target().getCommit();
    Path checkout;
    try {
      checkout = git.checkout(settings.url(), commit, workDir.resolve("checkouts"), access.git());
    } catch (SourceException e) {
      return ApplyOutcome.untouched(Reason.SourceUnavailable, e.getMessage());
    }
    Path dir = checkout.resolve(settings.composePath()).normalize();
    if (!Files.isDirectory(dir)) {
      return ApplyOutcome.untouched(Reason.ComposeInvalid,
          "spec.compose.path '" + settings.composePath() + "' is not a directory at commit " + commit.substring(0, 7));
    }
    ComposeProject project = project(settings, dir);
    try {
      List<String> services = compose.services(project);
      servicesByCheckout.put(dir.toString(), services);
      // Pull and build before anything stops: a registry or build that fails leaves the stack as is.
      StackImages.Prepared prepared;
      try {
        prepared = images.prepare(release.getMetadata().getName(), ImageSettings.from(release.getSpec()),
            apply.kind() != ActionKind.Deploy, commit, project, workDir);
      } catch (InvalidSpecException e) {
        return ApplyOutcome.untouched(Reason.InvalidSpec, e.getMessage());
      } catch (StackImages.Failure e) {
        return ApplyOutcome.untouched(e.reason(), e.getMessage());
      }
      if (apply.downFirst()) {
        compose.down(prepared.project(), true);
      }
      long started = System.nanoTime();
      compose.upLocal(prepared.project());
      LOG.info("{}: compose up of {} took {} ms", release.getMetadata().getName(), commit.substring(0, 7),
          (System.nanoTime() - started) / 1_000_000);
      return ApplyOutcome.success(services, prepared.note());
    } catch (ComposeException e) {
      return switch (e.kind()) {
        case INVALID -> ApplyOutcome.untouched(Reason.ComposeInvalid, e.getMessage());
        case UNAVAILABLE -> ApplyOutcome.untouched(Reason.DockerUnavailable, e.getMessage());
        case FAILED -> ApplyOutcome.failed(Reason.ComposeFailed, e.getMessage());
      };
    }
  }

  private void retainImages(StagingRelease release, StagingReleaseStatus status) {
    try {
      ReleaseSettings settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
      images.retain(settings.name(), ImageSettings.from(release.getSpec()), status, settings.projectName(),
          settings.dockerHost());
    } catch (InvalidSpecException e) {
      LOG.debug("no image retention for an invalid spec: {}", e.getMessage());
    }
  }

  private BackupOutcome backup(StagingRelease release, Action.Backup backup, Path workDir) {
    ReleaseSettings settings;
    try {
      settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
    } catch (InvalidSpecException e) {
      return BackupOutcome.failed(e.getMessage());
    }
    Path file = BackupFiles.file(BackupFiles.storage(settings.backup(), workDir), backup.name());
    long started = System.nanoTime();
    BackupOutcome outcome = backups.dump(target(settings), settings.backup().command(), file);
    LOG.info("{}: backup {} {} in {} ms", release.getMetadata().getName(), backup.name(),
        outcome.ok() ? "written" : "failed", (System.nanoTime() - started) / 1_000_000);
    return outcome;
  }

  private BackupOutcome restore(StagingRelease release, Action.Restore restore, Path workDir) {
    ReleaseSettings settings;
    try {
      settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
    } catch (InvalidSpecException e) {
      return BackupOutcome.failed(e.getMessage());
    }
    if (settings.backup() == null || settings.backup().restoreCommand() == null) {
      return BackupOutcome.failed("spec.backup.restoreCommand is not set");
    }
    Path file = BackupFiles.file(BackupFiles.storage(settings.backup(), workDir), restore.name());
    long started = System.nanoTime();
    BackupOutcome outcome = backups.restore(target(settings), settings.backup().restoreCommand(), file, restore.sha256());
    LOG.info("{}: restore of {} {} in {} ms", release.getMetadata().getName(), restore.name(),
        outcome.ok() ? "done" : "failed", (System.nanoTime() - started) / 1_000_000);
    return outcome;
  }

  private void deleteBackups(StagingRelease release, Action.DeleteBackups expired, Path workDir) {
    try {
      ReleaseSettings settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
      BackupFiles.delete(BackupFiles.storage(settings.backup(), workDir), expired.names());
    } catch (InvalidSpecException | java.io.IOException e) {
      // Status no longer lists them; a leftover file wastes space but misleads nobody.
      LOG.warn("{}: cannot delete expired backups {}: {}", release.getMetadata().getName(), expired.names(), e.getMessage());
    }
  }

  private static DatabaseBackups.Target target(ReleaseSettings settings) {
    return new DatabaseBackups.Target(settings.projectName(), settings.backup().service(), settings.dockerHost());
  }

  /** Tears a release's stack down (`compose down`), for deletion with the Down policy and tests. */
  public void down(StagingRelease release, StagingReleaseStatus status, Path workDir) throws ComposeException {
    ReleaseSettings settings;
    try {
      settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
    } catch (InvalidSpecException e) {
      throw new ComposeException(ComposeException.Kind.INVALID, e.getMessage());
    }
    Path dir = workDir;
    if (status != null && status.getCurrent() != null) {
      dir = workDir.resolve("checkouts").resolve(status.getCurrent().getCommit()).resolve(settings.composePath());
    }
    compose.down(project(settings, dir), true);
  }

  private static ComposeProject project(ReleaseSettings settings, Path dir) {
    return new ComposeProject(settings.projectName(), dir, settings.composeFiles(), settings.envFiles(), settings.dockerHost());
  }
}
