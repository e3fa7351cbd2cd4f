package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.engine.ReleaseEngine;
import dev.backstop.operator.metrics.ReleaseMetrics;
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
 * after the engine's requeue delay, or at once when its manifest or a request changes.
 */
final class ReleaseWorker {

  private static final Logger LOG = LoggerFactory.getLogger("backstop");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final ReleaseEngine engine;
  private final StatusStore store;
  private final RequestStore requests;
  private final ReleaseMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private StagingRelease release;
  private String specJson;
  private long generation;
  private StagingReleaseStatus status;
  private ScheduledFuture<?> next;
  private boolean stopped;

  ReleaseWorker(
      StagingRelease release,
      ReleaseEngine engine,
      StatusStore store,
      RequestStore requests,
      ReleaseMetrics metrics,
      ScheduledExecutorService scheduler) {
    this.name = release.getMetadata().getName();
    this.engine = engine;
    this.store = store;
    this.requests = requests;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.status = store.read(name).orElse(null);
    Generation saved = Generation.read(store.releaseDir(name));
    this.specJson = saved.specJson();
    this.generation = saved.generation();
    update(release);
  }

  /** Takes a new version of the manifest; a changed spec is a new generation. */
  synchronized boolean update(StagingRelease newRelease) {
    String json = toJson(newRelease.getSpec());
    boolean specChanged = !json.equals(specJson);
    boolean annotationsChanged = release == null
        || !Objects.equals(release.getMetadata().getAnnotations(), newRelease.getMetadata().getAnnotations());
    release = newRelease;
    if (specChanged) {
      specJson = json;
      generation++;
      Generation.write(store.releaseDir(name), new Generation(generation, specJson));
    }
    return specChanged || annotationsChanged;
  }

  /** Reconciles as soon as possible. */
  synchronized void trigger() {
    schedule(Duration.ZERO);
  }

  synchronized void stop() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  private synchronized void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = scheduler.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    Duration requeue;
    long started = System.nanoTime();
    synchronized (this) {
      if (stopped) {
        return;
      }
      try {
        requeue = engine.reconcile(release, generation, requestValues(), status, store.releaseDir(name), recorder());
      } catch (RuntimeException e) {
        // A bug must not stop the other releases or this one's next attempt.
        LOG.error("{}: reconcile failed unexpectedly; trying again in 10s", name, e);
        requeue = Duration.ofSeconds(10);
      }
      metrics.reconciled(name, Duration.ofNanos(System.nanoTime() - started));
      schedule(requeue);
    }
  }

  /** Annotations of the manifest, each combined with the CLI's request of the same kind. */
  private Map<String, String> requestValues() {
    Map<String, String> values = new HashMap<>();
    Map<String, String> annotations = release.getMetadata().getAnnotations();
    Map<String, String> fromCli = requests.read(name);
    for (String key : RequestStore.KEYS) {
      String a = annotations == null ? null : annotations.get(key);
      String c = fromCli.get(key);
      if (a != null || c != null) {
        values.put(key, (a == null ? "" : a) + "|" + (c == null ? "" : c));
      }
    }
    return values;
  }

  private ReleaseEngine.Recorder recorder() {
    return new ReleaseEngine.Recorder() {
      @Override
      public void record(StagingReleaseStatus s) {
        status = s;
        metrics.status(name, s);
        try {
          store.write(name, s);
        } catch (java.io.IOException e) {
          // The next reconcile writes again; the decision itself does not depend on the file.
          LOG.error("{}: cannot record status: {}", name, e.getMessage());
        }
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

  synchronized StagingRelease release() {
    return release;
  }

  private static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalStateException("spec cannot be serialized", e);
    }
  }
}
