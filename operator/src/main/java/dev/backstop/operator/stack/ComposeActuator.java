package dev.backstop.operator.stack;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.BackupKey;
import dev.backstop.operator.backup.BackupStore;
import dev.backstop.operator.backup.BackupStores;
import dev.backstop.operator.backup.Compression;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.EngineFault;
import dev.backstop.operator.core.ImageRetention;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.ComposePolicy;
import dev.backstop.operator.core.ComposeTurns;
import dev.backstop.operator.core.Failures;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.core.TagOutcome;
import dev.backstop.operator.engine.Actuator;
import dev.backstop.operator.engine.BackupSecrets;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out the core's actions with git checkouts, the `docker compose` CLI and docker exec. */
public final class ComposeActuator implements Actuator {

  private static final Logger LOG = LoggerFactory.getLogger(ComposeActuator.class);

  /**
   * The stop grace of an emergency rollback's `down`: the runbook's emergency means now, so a
   * process that ignores SIGTERM (busybox httpd as PID 1) is killed after 1 s, not after its
   * stop_grace_period or Compose's 10 s.
   */
  static final java.time.Duration EMERGENCY_STOP_GRACE = java.time.Duration.ofSeconds(1);

  private final DockerHosts docker;
  private final SourceRepository git;
  private final ComposeDriver compose;
  private final DatabaseBackups backups;
  private final StackImages images;
  private final ServiceCatalog services;
  private final PolicyLevel ceiling;
  private final BackupStores stores = new BackupStores(System::getenv);
  private final ComposeGate gate;

  /** An actuator with no policy ceiling (Privileged): releases get what they ask for. */
  public ComposeActuator(
      DockerHosts docker, SourceRepository git, ComposeDriver compose, DatabaseBackups backups,
      ServiceCatalog services) {
    this(docker, git, compose, backups, services, PolicyLevel.Privileged);
  }

  /** @param ceiling the operator's --compose-policy: the level of releases that name none */
  public ComposeActuator(
      DockerHosts docker, SourceRepository git, ComposeDriver compose, DatabaseBackups backups,
      ServiceCatalog services, PolicyLevel ceiling) {
    this(docker, git, compose, backups, services, ceiling, ComposeGate.UNBOUNDED);
  }

  /** @param gate bounds the compose runs that change containers per engine (--compose-concurrency) */
  public ComposeActuator(
      DockerHosts docker, SourceRepository git, ComposeDriver compose, DatabaseBackups backups,
      ServiceCatalog services, PolicyLevel ceiling, ComposeGate gate) {
    this.gate = gate;
    this.ceiling = ceiling;
    this.docker = docker;
    this.git = git;
    this.compose = compose;
    this.backups = backups;
    this.images = new StackImages(compose);
    this.services = services;
  }

  /** Where a commit's checkout keeps the compose files the spec names. */
  static Path composeDir(Path workDir, String commit, ReleaseSettings settings) {
    return new StateLayout.ReleaseDir(workDir).checkout(commit).resolve(settings.composePath()).normalize();
  }

  static ComposeProject project(ReleaseSettings settings, DockerEndpoint endpoint, Path dir) {
    return new ComposeProject(settings.projectName(), dir, settings.composeFiles(), settings.envFiles(), endpoint);
  }

  static ComposeProject project(ReleaseSettings settings, DockerEndpoint endpoint, Path dir, StackEnv env) {
    return new ComposeProject(settings.projectName(), dir, settings.composeFiles(), settings.envFiles(), endpoint,
        env.values());
  }

  /** How the release reaches its engine, with its own TLS material only. */
  private DockerEndpoint endpoint(ReleaseInput release, ReleaseSettings settings) {
    return docker.endpoint(release.key(), settings.dockerHost());
  }

  @Override
  public ApplyOutcome apply(ReleaseInput release, ReleaseSettings settings, Action.Apply apply) {
    String commit = apply.target().getCommit();
    Path checkout;
    try {
      checkout = git.checkout(settings.url(), commit, new StateLayout.ReleaseDir(release.workDir()).checkouts(),
          release.access().git());
    } catch (SourceException e) {
      // An unsafe tree is the commit's fault and quarantines it like invalid compose files; a
      // checkout that met a full disk is the host's, retried with backoff.
      if (e.kind() == SourceException.Kind.UNSAFE) {
        return ApplyOutcome.untouched(Reason.ComposeInvalid, e.getMessage());
      }
      boolean diskFull = EngineFault.in(e.getMessage() + " " + Failures.rootMessage(e), false) == EngineFault.DISK_FULL;
      return diskFull
          ? ApplyOutcome.untouched(Reason.DiskFull, e.getMessage() + " (" + EngineFault.DISK_FULL.hint() + ")")
          : ApplyOutcome.untouched(Reason.SourceUnavailable, e.getMessage());
    }
    Path dir = checkout.resolve(settings.composePath()).normalize();
    if (!Files.isDirectory(dir)) {
      return ApplyOutcome.untouched(Reason.ComposeInvalid,
          "spec.compose.path '" + settings.composePath() + "' is not a directory at commit " + commit.substring(0, 7));
    }
    String envFile = ReleaseSettings.envFile(release.spec());
    if (envFile != null) {
      try {
        EnvFile.write(dir.resolve(envFile), release.access().env());
      } catch (IOException e) {
        return ApplyOutcome.untouched(Reason.ComposeInvalid,
            "cannot write spec.compose.envFile '" + envFile + "': " + e.getMessage());
      }
    }
    ComposeProject project = project(settings, endpoint(release, settings), dir, release.access().env());
    try {
      long started = System.nanoTime();
      List<String> defined = services.defined(dir, project);
      List<String> missing = apply.services().stream().filter(x -> !defined.contains(x)).toList();
      if (!missing.isEmpty()) {
        return ApplyOutcome.untouched(Reason.ComposeInvalid, "commit " + commit.substring(0, 7) + " defines no service "
            + String.join(", ", missing) + " (it defines " + String.join(", ", defined)
            + "), so it cannot be rolled back alone; roll back the whole release");
      }
      // Pull and build before anything stops: a registry or build that fails leaves the stack as is.
      StackImages.Prepared prepared;
      try {
        prepared = images.prepare(release.name(), settings.images(), apply.kind() != ActionKind.Deploy, commit, project,
            release.workDir(), new StackGuard.Rules(checkout, level(release)));
      } catch (StackImages.Failure e) {
        return ApplyOutcome.untouched(e.reason(), e.getMessage());
      }
      long preparedAt = System.nanoTime();
      long down;
      // Only the commands that change containers take a turn: checks, pulls and builds came before.
      try (ComposeGate.Turn turn = gate.enter(project.dockerHost(), ComposeTurns.Urgency.of(apply.kind()),
          release.key())) {
        if (apply.downFirst()) {
          compose.down(prepared.project(), true, EMERGENCY_STOP_GRACE);
        }
        down = System.nanoTime();
        if (apply.services().isEmpty()) {
          compose.upFromHostImages(prepared.project());
        } else {
          // Same project name, the target's files: compose recreates just these from their old definitions.
          compose.upServicesFromHostImages(prepared.project(), apply.services());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ApplyOutcome.untouched(Reason.DockerUnavailable, "interrupted while waiting for a compose turn");
      }
      // Where an apply's time goes: checks and images, then (emergency only) down, then up.
      LOG.info("{}: {} of {}{}: prepared in {} ms, {}compose up {} ms", release.key(), apply.kind(),
          commit.substring(0, 7), apply.services().isEmpty() ? "" : " for " + apply.services(),
          (preparedAt - started) / 1_000_000,
          apply.downFirst() ? "compose down " + (down - preparedAt) / 1_000_000 + " ms, " : "",
          (System.nanoTime() - down) / 1_000_000);
      return ApplyOutcome.success(prepared.note());
    } catch (ComposeException e) {
      if (e.engineFault() != null) {
        // The engine's or host's fault: the core retries it and never holds it against the commit.
        return e.kind() == ComposeException.Kind.FAILED
            ? ApplyOutcome.failed(e.engineFault().reason(), e.getMessage())
            : ApplyOutcome.untouched(e.engineFault().reason(), e.getMessage());
      }
      return switch (e.kind()) {
        case INVALID -> ApplyOutcome.untouched(Reason.ComposeInvalid, e.getMessage());
        case UNAVAILABLE -> ApplyOutcome.untouched(Reason.DockerUnavailable, e.getMessage());
        case FAILED -> ApplyOutcome.failed(Reason.ComposeFailed, e.getMessage());
      };
    }
  }

  /** The level the release runs under; a looser request than the ceiling never gets this far. */
  private PolicyLevel level(ReleaseInput release) {
    ComposeSpec compose = release.spec() == null ? null : release.spec().getCompose();
    return ComposePolicy.effective(compose == null ? null : compose.getPolicy(), ceiling);
  }

  @Override
  public void retainImages(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus status) {
    images.retain(settings.name(), settings.images(), status, settings.projectName(), endpoint(release, settings));
    CommitFiles.prune(release.key(), new StateLayout.ReleaseDir(release.workDir()),
        ImageRetention.commitsToKeep(status, settings.images().keepImages()));
  }

  @Override
  public TagOutcome tag(ReleaseInput release, ReleaseSettings settings, String commit, String name) {
    TagOutcome outcome = git.tag(settings.url(), commit, name, release.access().git());
    LOG.info("{}: pre-deploy tag {} of {}: {}", release.key(), name, commit.substring(0, 7),
        outcome.pushed() ? "pushed" : outcome.tagged() ? "in the cache only: " + outcome.problem() : outcome.problem());
    return outcome;
  }

  @Override
  public BackupOutcome backup(ReleaseInput release, ReleaseSettings settings, Action.Backup backup) {
    if (settings.backup() == null) {
      return BackupOutcome.failed("spec.backup is not set");
    }
    try (BackupStore store = store(release, settings)) {
      DatabaseBackups.Copy copy = new DatabaseBackups.Copy(store, backup.name(), key(release, settings),
          Compression.of(settings.backup().compression()));
      long started = System.nanoTime();
      BackupOutcome outcome = backups.dump(target(release, settings), settings.backup().command(), copy);
      LOG.info("{}: backup {} {} in {} ms", release.key(), backup.name(), outcome.ok() ? "written" : "failed",
          (System.nanoTime() - started) / 1_000_000);
      if (outcome.ok() && settings.backup().drillAfterBackup() && backup.mayDrill()) {
        return drilled(release, settings, copy, outcome);
      }
      return outcome;
    } catch (IllegalArgumentException e) {
      return BackupOutcome.failed(e.getMessage());
    }
  }

  // A backup whose drill fails is not kept: status only ever lists backups proven to restore.
  private BackupOutcome drilled(ReleaseInput release, ReleaseSettings settings, DatabaseBackups.Copy copy,
      BackupOutcome written) {
    long started = System.nanoTime();
    BackupOutcome drill = backups.drill(target(release, settings), settings.backup().restoreCommand(),
        settings.backup().verifyCommand(), copy, written.sha256());
    LOG.info("{}: restore drill of {} {} in {} ms: {}", release.key(), copy.name(), drill.ok() ? "passed" : "failed",
        (System.nanoTime() - started) / 1_000_000, drill.ok() ? drill.drill() : drill.message());
    if (drill.ok()) {
      return written.drilled(drill.drill());
    }
    try {
      copy.store().delete(List.of(copy.name()));
    } catch (IOException e) {
      LOG.warn("{}: cannot delete {} after its failed drill: {}", release.key(), copy.store().describe(copy.name()),
          e.getMessage());
    }
    String message = "its restore drill failed, so it was not kept: " + drill.message();
    return drill.engineFault() != null ? BackupOutcome.engineFailed(drill.engineFault(), message)
        : BackupOutcome.failed(message);
  }

  @Override
  public BackupOutcome restore(ReleaseInput release, ReleaseSettings settings, Action.Restore restore) {
    if (settings.backup() == null || settings.backup().restoreCommand() == null) {
      return BackupOutcome.failed("spec.backup.restoreCommand is not set");
    }
    try (BackupStore store = store(release, settings)) {
      DatabaseBackups.Copy copy = new DatabaseBackups.Copy(store, restore.name(), key(release, settings));
      long started = System.nanoTime();
      BackupOutcome outcome = backups.restore(target(release, settings), settings.backup().restoreCommand(), copy,
          restore.sha256());
      LOG.info("{}: restore of {} {} in {} ms", release.key(), restore.name(), outcome.ok() ? "done" : "failed",
          (System.nanoTime() - started) / 1_000_000);
      return outcome;
    } catch (IllegalArgumentException e) {
      return BackupOutcome.failed(e.getMessage() + "; nothing was restored");
    }
  }

  @Override
  public void deleteBackups(ReleaseInput release, ReleaseSettings settings, Action.DeleteBackups expired) {
    if (settings.backup() == null) {
      return;
    }
    try (BackupStore store = store(release, settings)) {
      store.delete(expired.names());
    } catch (IOException | IllegalArgumentException e) {
      // Status no longer lists them; a leftover backup wastes space but misleads nobody.
      LOG.warn("{}: cannot delete expired backups {}: {}", release.key(), expired.names(), e.getMessage());
    }
  }

  private BackupStore store(ReleaseInput release, ReleaseSettings settings) {
    BackupSecrets secrets = release.access().backup();
    return stores.open(settings.backup(), release.workDir(), secrets.accessKeyId(), secrets.secretAccessKey());
  }

  private static BackupKey key(ReleaseInput release, ReleaseSettings settings) {
    return BackupStores.key(settings.backup(), release.access().backup().encryptionKey());
  }

  @Override
  public void down(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus status)
      throws ActionFailedException {
    Path dir = release.workDir();
    if (status != null && status.getCurrent() != null) {
      dir = composeDir(release.workDir(), status.getCurrent().getCommit(), settings);
    }
    ComposeProject project = project(settings, endpoint(release, settings), dir, release.access().env());
    try (ComposeGate.Turn turn = gate.enter(project.dockerHost(), ComposeTurns.Urgency.ROUTINE, release.key())) {
      compose.down(project, true);
    } catch (ComposeException e) {
      throw new ActionFailedException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActionFailedException("interrupted while waiting for a compose turn", e);
    }
  }

  private DatabaseBackups.Target target(ReleaseInput release, ReleaseSettings settings) {
    return new DatabaseBackups.Target(settings.projectName(), settings.backup().service(), endpoint(release, settings),
        settings.backup().timeout(), release.access().backup().databasePassword());
  }
}
