package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.Recorder;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.metrics.ReleaseMetrics;
import dev.backstop.operator.notify.Notices;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one release from a manifest, one reconcile at a time, on its own schedule: again
 * after the loop's requeue delay, or at once when its manifest or a request changes. Triggers that
 * arrive during a reconcile coalesce into one more run; nobody ever waits for a reconcile.
 */
final class ReleaseWorker {

  private static final Logger LOG = LoggerFactory.getLogger("backstop");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The first retry after a status write failed; it doubles up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** The manifest and its generation, swapped together so that a run never mixes two versions. */
  private record Input(StagingRelease release, long generation, String specJson) {}

  private final String name;
  private final ReleaseLoop loop;
  private final StatusStore store;
  private final RequestStore requests;
  private final ReleaseMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final LocalEnvSources envSources;
  private final Notices notices;
  private volatile Input input;
  // The last status recorded durably: what the next reconcile decides from and what readers see.
  private volatile StagingReleaseStatus status;
  // Why the daemon will not let this release act (another release owns its compose project), or null.
  private volatile Problem denied;
  // Taken by the next reconcile, which then fetches whatever pollInterval says.
  private final java.util.concurrent.atomic.AtomicBoolean fetchRequested =
      new java.util.concurrent.atomic.AtomicBoolean();

  // Guards the scheduling state below; held only for bookkeeping, never across a reconcile or I/O.
  private final Object lock = new Object();
  private boolean running;
  private boolean pending;
  private boolean stopped;
  private ScheduledFuture<?> next;
  private int failedWrites;

  ReleaseWorker(
      StagingRelease release,
      ReleaseLoop loop,
      StatusStore store,
      RequestStore requests,
      ReleaseMetrics metrics,
      ScheduledExecutorService scheduler) {
    this(release, loop, store, requests, metrics, scheduler, null, null);
  }

  /**
   * @param envSources where envFrom's Secrets and ConfigMaps are read, or null for none
   * @param notices keeps reports and notifies webhooks, or null for neither
   */
  ReleaseWorker(
      StagingRelease release,
      ReleaseLoop loop,
      StatusStore store,
      RequestStore requests,
      ReleaseMetrics metrics,
      ScheduledExecutorService scheduler,
      LocalEnvSources envSources,
      Notices notices) {
    this.envSources = envSources;
    this.notices = notices;
    this.name = release.getMetadata().getName();
    this.loop = loop;
    this.store = store;
    this.requests = requests;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.status = store.read(name).orElse(null);
    Generation saved = Generation.read(store.releaseDir(name));
    this.input = new Input(null, saved.generation(), saved.specJson());
    update(release);
  }

  /**
   * Takes a new version of the manifest; a changed spec is a new generation. Called by one thread
   * at a time (the manifest reload).
   *
   * @return whether the release should reconcile now
   */
  boolean update(StagingRelease newRelease) {
    Input old = input;
    // Saved redacted (a URL's credentials stay in the manifest only), and compared as saved.
    String json = loop.redactor().redact(toJson(newRelease.getSpec()));
    boolean specChanged = !json.equals(old.specJson());
    boolean annotationsChanged = old.release() == null
        || !Objects.equals(old.release().getMetadata().getAnnotations(), newRelease.getMetadata().getAnnotations());
    long generation = specChanged ? old.generation() + 1 : old.generation();
    if (specChanged) {
      Generation.write(store.releaseDir(name), new Generation(generation, json));
    }
    input = new Input(newRelease, generation, json);
    return specChanged || annotationsChanged;
  }

  /**
   * Sets why this release may not act (null: it may); the loop reports it and applies nothing.
   *
   * @return whether that changed, so the release should reconcile now to say so
   */
  boolean deny(Problem problem) {
    boolean changed = !Objects.equals(denied, problem);
    denied = problem;
    return changed;
  }

  /** Reconciles as soon as possible and fetches the source in it (a push webhook came). */
  void fetchNow() {
    fetchRequested.set(true);
    trigger();
  }

  /** Reconciles as soon as possible; during a reconcile, once more right after it. */
  void trigger() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      if (running) {
        pending = true;
        return;
      }
      scheduleLocked(Duration.ZERO);
    }
  }

  void stop() {
    synchronized (lock) {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }
  }

  private void scheduleLocked(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    next = scheduler.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    synchronized (lock) {
      if (stopped || running) {
        return;
      }
      running = true;
      pending = false;
    }
    long started = System.nanoTime();
    Duration requeue;
    int failures;
    try {
      Input in = input;
      ReleaseInput release = ReleaseInput.of(in.release(), in.generation(), requestValues(in.release()),
          store.releaseDir(name), denied != null ? Access.blocked(denied)
              : envSources == null ? Access.NONE : envSources.resolve(in.release()))
          .withFetchNow(fetchRequested.getAndSet(false));
      requeue = loop.reconcile(suspendedByCli(release), status,
          notices == null ? recorder() : notices.around(in.release(), recorder()));
      failures = 0;
    } catch (Recorder.RecordFailedException e) {
      synchronized (lock) {
        failures = ++failedWrites;
      }
      requeue = backoff(failures);
      LOG.error("{}: cannot record status, so nothing was acted on; trying again in {}s: {}", name,
          requeue.toSeconds(), e.getMessage());
    } catch (RuntimeException e) {
      // A bug must not stop the other releases or this one's next attempt.
      LOG.error("{}: reconcile failed unexpectedly; trying again in 10s", name, e);
      requeue = Duration.ofSeconds(10);
      failures = -1;
    }
    metrics.reconciled(name, Duration.ofNanos(System.nanoTime() - started));
    synchronized (lock) {
      if (failures == 0) {
        failedWrites = 0;
      }
      running = false;
      if (!stopped) {
        scheduleLocked(pending ? Duration.ZERO : requeue);
      }
      pending = false;
    }
  }

  /** 1 s, 2 s, 4 s ... at most a minute. */
  static Duration backoff(int failures) {
    long seconds = FIRST_BACKOFF.toSeconds() << Math.min(Math.max(failures - 1, 0), 6);
    return seconds >= MAX_BACKOFF.toSeconds() ? MAX_BACKOFF : Duration.ofSeconds(seconds);
  }

  /**
   * `backstop suspend NAME` in local mode: the manifest is the user's (often a GitOps tool's), so
   * the CLI's suspension is kept beside it and added to its spec.suspend, never written into it.
   */
  private ReleaseInput suspendedByCli(ReleaseInput release) {
    if (!RequestStore.SUSPENDED.equals(requests.read(name).get(RequestStore.SUSPEND_KEY))
        || release.spec() == null || Boolean.TRUE.equals(release.spec().getSuspend())) {
      return release;
    }
    dev.backstop.operator.api.v1alpha1.StagingReleaseSpec spec = release.spec().copy();
    spec.setSuspend(true);
    return new ReleaseInput(release.key(), release.name(), spec, release.generation(), release.requests(),
        release.workDir(), release.access());
  }

  /** Annotations of the manifest, each combined with the CLI's request of the same kind. */
  private Map<String, String> requestValues(StagingRelease release) {
    Map<String, String> values = new HashMap<>();
    Map<String, String> annotations = release.getMetadata().getAnnotations();
    Map<String, String> fromCli = requests.read(name);
    for (String key : StagingRelease.REQUEST_ANNOTATIONS) {
      String a = annotations == null ? null : annotations.get(key);
      String c = fromCli.get(key);
      if (a != null || c != null) {
        values.put(key, (a == null ? "" : a) + "|" + (c == null ? "" : c));
      }
    }
    for (String key : StagingRelease.REQUEST_PARAMETERS) {
      // The CLI writes its parameters with every request it sends (empty for none), so its own
      // value is the one that goes with its request; the manifest's serves the manifest's requests.
      String value = fromCli.containsKey(key) ? fromCli.get(key) : annotations == null ? null : annotations.get(key);
      if (value != null && !value.isEmpty()) {
        values.put(key, value);
      }
    }
    return values;
  }

  private Recorder recorder() {
    return new Recorder() {
      @Override
      public void record(StagingReleaseStatus s) throws RecordFailedException {
        boolean changed;
        try {
          changed = store.write(name, s);
        } catch (IOException | RuntimeException e) {
          metrics.statusWriteFailed(name);
          throw new RecordFailedException(store.releaseDir(name) + ": " + e.getMessage(), e);
        }
        // An unchanged status keeps its object, so that the API can tell by identity that its
        // rendered view is still current.
        if (changed || status == null) {
          status = s;
        }
        metrics.status(name, s);
      }

      @Override
      public void event(ReleaseEvent e) {
        metrics.event(name, e);
        String line = String.format("%-12s %-8s %-18s %s", name, e.type(), e.reason(), e.message());
        if (e.type() == ReleaseEvent.Type.Warning) {
          LOG.warn(line);
        } else {
          LOG.info(line);
        }
      }
    };
  }

  StagingRelease release() {
    return input.release();
  }

  /** The last status recorded durably, or null before the first. */
  StagingReleaseStatus status() {
    return status;
  }

  private static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalStateException("spec cannot be serialized", e);
    }
  }
}
