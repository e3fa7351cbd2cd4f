package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ContainerEvents;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Conditions;
import dev.backstop.operator.core.ProjectClaims;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.core.Redactor;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.metrics.ReleaseMetrics;
import dev.backstop.operator.notify.FileReportStore;
import dev.backstop.operator.notify.Notices;
import dev.backstop.operator.notify.Webhooks;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: StagingRelease manifests from a directory in, status files out. Each release is
 * reconciled on its own schedule and at once when its manifest changes, on a bounded pool; one
 * release's trouble never stops another, and nothing here waits for a reconcile: manifest reloads
 * run on the watch thread, readers get the last recorded status, triggers only flag.
 */
public final class LocalDaemon implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("backstop");

  private final Path manifests;
  private final StatusStore store;
  private final RequestStore requests;
  private final ReleaseLoop loop;
  private final HealthMonitor health;
  private final DockerHosts docker;
  private final ReleaseMetrics metrics = new ReleaseMetrics();
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Map<String, ReleaseWorker> workers = new ConcurrentHashMap<>();
  private final ManifestLoader loader;
  private final Path stateDir;
  private final Notices notices;
  private StatusServer server;
  private WatchService watcher;
  private Thread watchThread;

  private final ContainerEvents events;
  // Only the reload (start, then the watch thread) changes these three.
  private final Map<String, ContainerEvents.Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, String> projects = new ConcurrentHashMap<>();
  // The key each release's background probes run under, to stop them when the release goes.
  private final Map<String, String> healthKeys = new ConcurrentHashMap<>();
  // When this daemon first loaded each release: its claim's age (see #claims).
  private final Map<String, Instant> firstLoaded = new ConcurrentHashMap<>();

  /**
   * A daemon that also reconciles a release at once when one of its containers dies, is OOM-killed
   * or changes health ({@code events} may be null: then only probes and the schedule trigger).
   */
  public LocalDaemon(
      Path manifests,
      Path state,
      ReleaseLoop loop,
      HealthMonitor health,
      DockerHosts docker,
      Clock clock,
      int threads,
      ContainerEvents events) {
    this.events = events;
    this.manifests = manifests;
    this.stateDir = state;
    this.loader = new ManifestLoader(manifests);
    this.store = new StatusStore(state);
    this.requests = new RequestStore(store);
    this.loop = loop;
    this.health = health;
    this.docker = docker;
    this.clock = clock;
    this.scheduler = Executors.newScheduledThreadPool(threads, r -> {
      Thread t = new Thread(r, "reconcile");
      t.setDaemon(true);
      return t;
    });
    this.notices = new Notices(new FileReportStore(state),
        new Webhooks(Webhooks.Policy.DEFAULT, new LocalEnvSources(manifests)::webhookSecret,
            o -> metrics.webhookDelivery(o.name())), clock);
  }

  /** Loads the manifests, starts reconciling, watching the directory, and serving on port. */
  public void start(String bindAddress, int port) throws IOException {
    // News names namespace/name; local releases are unique by name alone.
    health.onNews(key -> trigger(key.substring(key.indexOf('/') + 1)));
    health.onProbed(metrics::probed);
    reload();
    watcher = FileSystems.getDefault().newWatchService();
    manifests.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    watchThread = new Thread(this::watch, "manifest-watch");
    watchThread.setDaemon(true);
    watchThread.start();
    if (port >= 0) {
      server = new StatusServer(this, stateDir, bindAddress, port);
      server.start();
      DaemonInfo.write(stateDir, new DaemonInfo(ProcessHandle.current().pid(), bindAddress, server.port()));
      LOG.info("serving /healthz, /metrics and /api/v1/releases on http://{}:{}", bindAddress, server.port());
    }
  }

  /**
   * Re-reads the manifest directory: new releases start, changed ones reconcile now. Runs on one
   * thread at a time (start, then the watch thread), never waiting for a reconcile.
   */
  void reload() {
    ManifestSet set;
    try {
      set = loader.load();
    } catch (IOException e) {
      LOG.error("cannot read manifests from {}: {}", manifests, e.getMessage());
      return;
    }
    Map<String, Problem> duplicates = ProjectClaims.denied(claims(set.releases()));
    Set<String> seen = new HashSet<>();
    for (StagingRelease release : set.releases()) {
      String name = release.getMetadata().getName();
      seen.add(name);
      String healthKey = ReleaseInput.keyOf(release);
      String oldKey = healthKeys.put(name, healthKey);
      if (oldKey != null && !oldKey.equals(healthKey)) {
        // Its namespace changed: the probes under the old key would run on for nobody.
        health.forget(oldKey);
        docker.forget(oldKey);
      }
      ReleaseWorker worker = workers.get(name);
      if (worker == null) {
        worker = new ReleaseWorker(release, loop, store, requests, metrics, scheduler, new LocalEnvSources(manifests),
            notices);
        worker.deny(duplicates.get(healthKey));
        workers.put(name, worker);
        LOG.info("{}: watching {} at {}", name, withoutPassword(release.getSpec().getSource().getUrl()),
            release.getSpec().getSource().getRef());
        worker.trigger();
      } else {
        // Both before the trigger: the reconcile must see the new manifest and the new verdict.
        boolean changed = worker.update(release);
        boolean verdictChanged = worker.deny(duplicates.get(healthKey));
        if (changed || verdictChanged) {
          LOG.info("{}: {}, reconciling now", name, changed ? "manifest changed" : "project claim changed");
          worker.trigger();
        }
      }
      if (duplicates.containsKey(healthKey)) {
        LOG.warn("{}: {}", name, duplicates.get(healthKey).message());
      }
      watchEvents(release);
    }
    List<String> unattributed = new ArrayList<>();
    for (ManifestProblem p : set.problems()) {
      LOG.warn("{}: {}", p.file().getFileName(), p.message());
      if (p.name() != null) {
        seen.add(p.name());
        markInvalid(p.name(), p.file().getFileName() + ": " + p.message());
      } else {
        unattributed.add(p.file().getFileName() + ": " + p.message());
      }
    }
    try {
      store.writeProblems(set.problems());
    } catch (IOException e) {
      LOG.error("cannot record manifest problems: {}", e.getMessage());
    }
    for (String gone : List.copyOf(workers.keySet())) {
      if (seen.contains(gone)) {
        continue;
      }
      if (!unattributed.isEmpty()) {
        // Its file may be the one that no longer parses: say so rather than call it deleted.
        markInvalid(gone, "its manifest no longer loads: " + String.join("; ", unattributed));
      } else {
        workers.remove(gone).stop();
        forget(gone);
        metrics.forget(gone);
        LOG.info("{}: manifest removed; its stack is left running as it is", gone);
      }
    }
  }

  /**
   * Every loaded release's claim on its compose project. Manifests carry no creation time, so a
   * release claims from when this daemon first loaded it (in file order within one load); one
   * with a deployed stack always keeps it, so a restart cannot hand a running stack to a newcomer.
   */
  private List<ProjectClaims.Claim> claims(List<StagingRelease> releases) {
    List<ProjectClaims.Claim> claims = new ArrayList<>();
    for (StagingRelease release : releases) {
      String name = release.getMetadata().getName();
      ComposeSpec compose = release.getSpec() == null ? null : release.getSpec().getCompose();
      Instant since = firstLoaded.computeIfAbsent(name, n -> clock.instant().plusNanos(firstLoaded.size()));
      boolean deployed = Optional.ofNullable(workers.get(name)).map(ReleaseWorker::status)
          .or(() -> store.read(name)).map(s -> s.getCurrent() != null).orElse(false);
      claims.add(new ProjectClaims.Claim(ReleaseInput.keyOf(release),
          compose == null ? null : compose.getDockerHost(), ReleaseSettings.projectName(name, compose), deployed,
          since));
    }
    return claims;
  }

  // The spec refuses a url with a password, but this line is logged before the spec is checked.
  private static String withoutPassword(String url) {
    return url == null ? null : url.replaceAll("://([^/@:]*):[^/@]*@", "://$1:***@");
  }

  /** A release whose manifest broke keeps its stack as it is and says why it is not ready. */
  private void markInvalid(String name, String message) {
    ReleaseWorker worker = workers.remove(name);
    if (worker != null) {
      worker.stop();
    }
    forget(name);
    StagingReleaseStatus status = store.read(name).orElseGet(StagingReleaseStatus::new);
    long generation = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
    Conditions.apply(status, new Problem(Reason.InvalidManifest, message), generation, clock.instant());
    try {
      store.write(name, status);
    } catch (IOException e) {
      LOG.error("{}: cannot record status: {}", name, e.getMessage());
    }
  }

  /** Subscribes to the container events of a release's project, again when the project changes. */
  private void watchEvents(StagingRelease release) {
    if (events == null) {
      return;
    }
    String name = release.getMetadata().getName();
    ComposeSpec compose = release.getSpec() == null ? null : release.getSpec().getCompose();
    String project = ReleaseSettings.projectName(name, compose);
    DockerEndpoint endpoint = docker.endpoint(
        ReleaseInput.keyOf(release), compose == null ? null : compose.getDockerHost());
    // The endpoint names its TLS identity: new certificates mean a new subscription.
    String key = project + "@" + endpoint;
    if (key.equals(projects.get(name))) {
      return;
    }
    ContainerEvents.Subscription old = subscriptions.remove(name);
    if (old != null) {
      old.close();
    }
    projects.put(name, key);
    subscriptions.put(name, events.subscribe(project, endpoint, what -> {
      LOG.debug("{}: container event {}, reconciling now", name, what);
      trigger(name);
    }));
  }

  private void forget(String name) {
    ContainerEvents.Subscription sub = subscriptions.remove(name);
    if (sub != null) {
      sub.close();
    }
    projects.remove(name);
    firstLoaded.remove(name);
    String healthKey = healthKeys.remove(name);
    if (healthKey != null) {
      health.forget(healthKey);
      docker.forget(healthKey);
    }
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        // Editors write in bursts (temp file, rename, chmod): settle before reading.
        TimeUnit.MILLISECONDS.sleep(200);
        key.pollEvents();
        key.reset();
        try {
          reload();
        } catch (RuntimeException e) {
          LOG.error("cannot reload manifests from {}: {}", manifests, e.getMessage());
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reconciles a release now (after a CLI request); false when there is no such release. */
  boolean trigger(String name) {
    ReleaseWorker worker = workers.get(name);
    if (worker != null) {
      worker.trigger();
    }
    return worker != null;
  }

  /** Fetches now for every release whose spec.source.url {@code matches}; their names. */
  List<String> fetchNow(java.util.function.Predicate<String> matches) {
    List<String> names = new java.util.ArrayList<>();
    workers.forEach((name, w) -> {
      StagingRelease r = w.release();
      if (r != null && r.getSpec() != null && r.getSpec().getSource() != null
          && matches.test(r.getSpec().getSource().getUrl())) {
        w.fetchNow();
        names.add(name);
      }
    });
    java.util.Collections.sort(names);
    return names;
  }

  /** The releases with a loaded manifest, by name. */
  Map<String, StagingRelease> releases() {
    Map<String, StagingRelease> all = new TreeMap<>();
    workers.forEach((name, w) -> all.put(name, w.release()));
    return all;
  }

  /** The last status recorded for a release, from memory when it has a worker, else its file. */
  Optional<StagingReleaseStatus> status(String name) {
    ReleaseWorker worker = workers.get(name);
    StagingReleaseStatus recorded = worker == null ? null : worker.status();
    return recorded != null ? Optional.of(recorded) : store.read(name);
  }

  /** The status a worker recorded last, from memory; null without a worker or before its first. */
  StagingReleaseStatus recordedStatus(String name) {
    ReleaseWorker worker = workers.get(name);
    return worker == null ? null : worker.status();
  }

  StatusStore store() {
    return store;
  }

  /** What every answer about releases passes before it leaves the process. */
  Redactor redactor() {
    return loop.redactor();
  }

  /** The meters /metrics shows; the composition root adds the ones of the adapters it built. */
  public ReleaseMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    subscriptions.values().forEach(ContainerEvents.Subscription::close);
    subscriptions.clear();
    workers.values().forEach(ReleaseWorker::stop);
    scheduler.shutdown();
    try {
      // Let a compose up in flight finish: killing it half-way helps nobody.
      if (!scheduler.awaitTermination(60, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    notices.close();
    if (server != null) {
      server.stop();
      DaemonInfo.delete(stateDir);
    }
    try {
      if (watcher != null) {
        watcher.close();
      }
    } catch (IOException e) {
      LOG.debug("closing watcher: {}", e.getMessage());
    }
  }
}
