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

  // The stream is quiet for as long as nothing happens: it must not time out like an API call.
  private final DockerClients clients = new DockerClients(Duration.ofDays(365));
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "docker-events");
    t.setDaemon(true);
    return t;
  });

  @Override
  public Subscription subscribe(String project, String dockerHost, Consumer<String> onEvent) {
    Stream stream = new Stream(project, dockerHost, onEvent);
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
    clients.close();
  }

  private final class Stream implements Subscription {
    private final String project;
    private final String dockerHost;
    private final Consumer<String> onEvent;
    private volatile boolean closed;
    private volatile Closeable current;

    Stream(String project, String dockerHost, Consumer<String> onEvent) {
      this.project = project;
      this.dockerHost = dockerHost;
      this.onEvent = onEvent;
    }

    void open() {
      if (closed) {
        return;
      }
      try {
        current = clients.client(dockerHost).eventsCmd()
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
      } catch (RuntimeException e) {
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
