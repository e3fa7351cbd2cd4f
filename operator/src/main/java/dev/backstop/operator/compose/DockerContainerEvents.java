package dev.backstop.operator.compose;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerEvents} from the engine's event stream through docker-java: one stream per engine,
 * shared by every project on it, so that a daemon of many releases holds one connection and one
 * reader thread per engine rather than one per release.
 */
public final class DockerContainerEvents implements ContainerEvents, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerContainerEvents.class);
  private static final Duration RECONNECT = Duration.ofSeconds(2);
  // Asked of the engine, so that the exec events of every container's healthcheck (three per
  // probe) never cross the socket; "health_status" matches "health_status: healthy" and the like.
  private static final String[] ACTIONS = {"die", "oom", "health_status"};

  private final DockerHosts hosts;
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "docker-events");
    t.setDaemon(true);
    return t;
  });
  // Guarded by this: the open stream of each engine that has subscribers.
  private final Map<DockerEndpoint, Stream> streams = new HashMap<>();

  /** Streams through {@code hosts}' event clients (long response timeout); the caller owns it. */
  public DockerContainerEvents(DockerHosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public Subscription subscribe(String project, DockerEndpoint endpoint, Consumer<String> onEvent) {
    Listener listener = new Listener(project, onEvent);
    Stream stream;
    boolean fresh;
    synchronized (this) {
      stream = streams.get(endpoint);
      fresh = stream == null;
      if (fresh) {
        stream = new Stream(endpoint);
        streams.put(endpoint, stream);
      }
      stream.listeners.add(listener);
    }
    if (fresh) {
      stream.open();
    }
    Stream subscribed = stream;
    return () -> unsubscribe(subscribed, listener);
  }

  private void unsubscribe(Stream stream, Listener listener) {
    boolean last;
    synchronized (this) {
      last = stream.listeners.remove(listener) && stream.listeners.isEmpty() && streams.get(stream.endpoint) == stream;
      if (last) {
        streams.remove(stream.endpoint);
      }
    }
    if (last) {
      stream.close();
    }
  }

  /** Whether an event's action is one that can change a release's health. */
  static boolean relevant(String action) {
    return action != null
        && (action.equals("die") || action.equals("oom") || action.startsWith("health_status"));
  }

  @Override
  public void close() {
    List<Stream> open;
    synchronized (this) {
      open = List.copyOf(streams.values());
      streams.clear();
    }
    open.forEach(Stream::close);
    reconnects.shutdownNow();
  }

  /** One subscriber: the project it watches and whom to tell. */
  private record Listener(String project, Consumer<String> onEvent) {}

  /** The event stream of one engine, handing each event to the listeners of its container's project. */
  private final class Stream {
    private final DockerEndpoint endpoint;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Closeable current;

    Stream(DockerEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    void open() {
      if (closed) {
        return;
      }
      try {
        // The stream is quiet for as long as nothing happens: not the API calls' timeout.
        current = hosts.client(endpoint, DockerHosts.Purpose.EVENTS).eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withEventFilter(ACTIONS)
            .withLabelFilter(DockerContainerObserver.PROJECT_LABEL)
            .exec(new ResultCallback.Adapter<Event>() {
              @Override
              public void onNext(Event e) {
                if (closed || !relevant(e.getAction())) {
                  return;
                }
                Map<String, String> attrs = e.getActor() == null ? null : e.getActor().getAttributes();
                String project = attrs == null ? null : attrs.get(DockerContainerObserver.PROJECT_LABEL);
                String who = attrs == null ? "?" : attrs.getOrDefault("name", "?");
                for (Listener l : listeners) {
                  if (l.project().equals(project)) {
                    l.onEvent().accept(who + " " + e.getAction());
                  }
                }
              }

              @Override
              public void onError(Throwable t) {
                retry("event stream of " + endpoint + " failed: " + t.getMessage());
              }

              @Override
              public void onComplete() {
                retry("event stream of " + endpoint + " ended");
              }
            });
      } catch (ComposeException | RuntimeException e) {
        retry("cannot subscribe to the events of " + endpoint + ": " + e.getMessage());
      }
      if (closed) {
        // Closed while this was connecting: close did not see the new stream.
        close();
      }
    }

    private void retry(String why) {
      if (closed) {
        return;
      }
      LOG.debug("{}; reconnecting in {}", why, RECONNECT);
      try {
        reconnects.schedule(this::open, RECONNECT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("not reconnecting: shutting down");
      }
    }

    void close() {
      closed = true;
      Closeable c = current;
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          LOG.debug("closing the event stream of {}", endpoint, e);
        }
      }
    }
  }
}
