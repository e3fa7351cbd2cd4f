package dev.backstop.operator.compose;

/** Container events of a compose project (die, oom, health_status), for detection without polling. */
public interface ContainerEvents {

  /**
   * Calls {@code onEvent} with a short description for each container of {@code project} that dies,
   * is OOM-killed or changes health, until the returned subscription is closed. Reconnects by itself
   * when the engine goes away and comes back.
   *
   * @param endpoint how to reach the engine (see DockerHosts#endpoint)
   */
  Subscription subscribe(String project, DockerEndpoint endpoint, java.util.function.Consumer<String> onEvent);

  /** An open subscription; closing it stops the callbacks. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
