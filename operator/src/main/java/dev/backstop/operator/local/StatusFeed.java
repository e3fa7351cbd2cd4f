package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the releases' recorded status (the workers' status files, or the operator's informer
 * cache) and tells subscribers (the server-sent event streams) when one changed. It reads recorded
 * snapshots only, so a reconcile in flight never holds it up.
 */
final class StatusFeed implements AutoCloseable {

  /** One change: the release and its view as JSON, or null when its status went away. */
  record Change(String release, String json) {}

  private static final Logger LOG = LoggerFactory.getLogger(StatusFeed.class);
  private static final int QUEUE = 64;

  private final StatusSource source;
  private final CheckSamples samples;
  private final Clock clock;
  private final Function<String, String> view;
  private final ScheduledExecutorService poller;
  private final List<BlockingQueue<Change>> subscribers = new CopyOnWriteArrayList<>();
  // Touched by the poller thread only.
  private final Map<String, StagingReleaseStatus> last = new HashMap<>();
  private final Map<String, String> lastJson = new HashMap<>();
  private final Map<String, Object> lastVersion = new HashMap<>();

  /**
   * @param view renders a release's view (what GET /api/v1/releases/NAME answers) as JSON
   */
  StatusFeed(StatusSource source, CheckSamples samples, Clock clock, Function<String, String> view) {
    this.source = source;
    this.samples = samples;
    this.clock = clock;
    this.view = view;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "status-feed");
      t.setDaemon(true);
      return t;
    });
  }

  void start(Duration interval) {
    poll();
    poller.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A queue of changes for one stream; a change with no release means the stream must end. */
  BlockingQueue<Change> subscribe() {
    BlockingQueue<Change> q = new ArrayBlockingQueue<>(QUEUE);
    subscribers.add(q);
    return q;
  }

  void unsubscribe(BlockingQueue<Change> q) {
    subscribers.remove(q);
  }

  /** Reads every release's status version and publishes those that changed since the last poll. */
  void poll() {
    try {
      Set<String> seen = new HashSet<>();
      for (String name : source.names()) {
        seen.add(name);
        Object version = source.version(name);
        if (version == null || version.equals(lastVersion.get(name))) {
          continue;
        }
        lastVersion.put(name, version);
        Optional<StagingReleaseStatus> status = source.status(name);
        if (status.isEmpty()) {
          continue;
        }
        StagingReleaseStatus s = status.get();
        String statusJson = Json.writer().writeValueAsString(s);
        if (statusJson.equals(lastJson.get(name))) {
          continue;
        }
        lastJson.put(name, statusJson);
        last.put(name, s);
        samples.record(name, s.getChecks(), clock.instant());
        publish(new Change(name, view.apply(name)));
      }
      for (String gone : List.copyOf(last.keySet())) {
        if (!seen.contains(gone)) {
          last.remove(gone);
          lastJson.remove(gone);
          lastVersion.remove(gone);
          samples.forget(gone);
          publish(new Change(gone, null));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The next poll tries again; a broken file must not end the feed.
      LOG.warn("cannot read the releases' status: {}", e.getMessage());
    }
  }

  private void publish(Change change) {
    for (BlockingQueue<Change> q : subscribers) {
      if (!q.offer(change)) {
        // A reader too slow to keep up gets its stream ended; the browser reconnects and reloads.
        subscribers.remove(q);
        q.clear();
        q.offer(new Change(null, null));
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
