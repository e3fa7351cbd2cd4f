package dev.backstop.operator.compose;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ContainerEvents} from the engine's event stream through docker-java. */
public final class DockerContainerEvents implements ContainerEvents, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerContainerEvents.class);
  private static final Duration RECONNECT = Duration.ofSeconds(2);

  private final DockerHosts hosts;
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "docker-events");
    t.setDaemon(true);
    return t;
  });

  /** Streams through {@code hosts}' event clients (long response timeout); the caller owns it. */
  public DockerContainerEvents(DockerHosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public Subscription subscribe(String project, DockerEndpoint endpoint, Consumer<String> onEvent) {
    Stream stream = new Stream(project, endpoint, onEvent);
    stream.open();
    return stream;
  }

  /** Whether an event's action is one that can change a release's health. */
  static boolean relevant(String action) {
    return action != null
        && (action.equals("die") || action.equals("oom") || action.startsWith("health_status"));
  }

  @Override
  public void close() {
    reconnects.shutdownNow();
  }

  private final class Stream implements Subscription {
    private final String project;
    private final DockerEndpoint endpoint;
    private final Consumer<String> onEvent;
    private volatile boolean closed;
    private volatile Closeable current;

    Stream(String project, DockerEndpoint endpoint, Consumer<String> onEvent) {
      this.project = project;
      this.endpoint = endpoint;
      this.onEvent = onEvent;
    }

    void open() {
      if (closed) {
        return;
      }
      try {
        // The stream is quiet for as long as nothing happens: not the API calls' timeout.
        current = hosts.client(endpoint, DockerHosts.Purpose.EVENTS).eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withLabelFilter(Map.of(DockerContainerObserver.PROJECT_LABEL, project))
            .exec(new ResultCallback.Adapter<Event>() {
              @Override
              public void onNext(Event e) {
                if (!closed && relevant(e.getAction())) {
                  Map<String, String> attrs = e.getActor() == null ? Map.of() : e.getActor().getAttributes();
                  String who = attrs == null ? "?" : attrs.getOrDefault("name", "?");
                  onEvent.accept(who + " " + e.getAction());
                }
              }

              @Override
              public void onError(Throwable t) {
                retry("event stream of " + project + " failed: " + t.getMessage());
              }

              @Override
              public void onComplete() {
                retry("event stream of " + project + " ended");
              }
            });
      } catch (ComposeException | RuntimeException e) {
        retry("cannot subscribe to events of " + project + ": " + e.getMessage());
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

    @Override
    public void close() {
      closed = true;
      Closeable c = current;
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          LOG.debug("closing the event stream of {}", project, e);
        }
      }
    }
  }
}
