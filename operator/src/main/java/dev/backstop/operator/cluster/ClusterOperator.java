package dev.backstop.operator.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ContainerObserver;
import dev.backstop.operator.engine.ReleaseEngine;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.metrics.ReleaseMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/** Operator mode: the StagingRelease controller on a cluster, plus /healthz, /readyz and /metrics. */
public final class ClusterOperator implements AutoCloseable {

  /** Lease that replicas compete for, so that two never act on the same stack. */
  public static final String LEASE_NAME = "backstop-operator";

  /**
   * How to run.
   *
   * @param namespaces namespaces to watch; empty = all
   * @param leaseNamespace namespace of the Lease; null = the client's namespace
   * @param port HTTP port for probes and metrics; -1 = none
   */
  public record Settings(
      Path stateDir,
      Set<String> namespaces,
      boolean leaderElection,
      String leaseNamespace,
      String bind,
      int port,
      Clock clock) {}

  private final Operator operator;
  private final ReleaseMetrics metrics;
  private HttpServer http;

  private ClusterOperator(Operator operator, ReleaseMetrics metrics) {
    this.operator = operator;
    this.metrics = metrics;
  }

  /** Registers the controller and starts it (and, with leader election, competes for the Lease). */
  public static ClusterOperator start(
      KubernetesClient client,
      SourceRepository git,
      ComposeDriver compose,
      ContainerObserver containers,
      Settings settings)
      throws IOException {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Merge patch works on every API server (and the test mock, which has no SSA).
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false);
      if (settings.leaderElection()) {
        String namespace = settings.leaseNamespace() != null ? settings.leaseNamespace() : client.getNamespace();
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, namespace));
      }
    });
    ClusterOperator result = new ClusterOperator(operator, new ReleaseMetrics());
    ReleaseEngine engine = new ReleaseEngine(git, compose, containers, settings.clock());
    operator.register(
        new StagingReleaseReconciler(engine, settings.stateDir(), settings.clock(), result.metrics),
        c -> {
          if (settings.namespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(settings.namespaces());
          }
        });
    if (settings.port() >= 0) {
      result.http = result.serve(settings.bind(), settings.port());
    }
    try {
      operator.start();
    } catch (RuntimeException e) {
      result.close();
      throw new IllegalStateException("cannot start the operator: " + rootMessage(e), e);
    }
    return result;
  }

  private HttpServer serve(String bind, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    server.createContext("/healthz", ex -> send(ex, 200, "ok\n"));
    // A standby replica (not leader) starts no informers, so it counts as healthy and ready.
    server.createContext("/readyz", ex -> {
      boolean ok = operator.getRuntimeInfo().allEventSourcesAreHealthy();
      send(ex, ok ? 200 : 503, ok ? "ok\n" : "not ready\n");
    });
    server.createContext("/metrics", ex -> send(ex, 200, metrics.scrape()));
    server.start();
    return server;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** The port the HTTP server listens on, or -1. */
  public int port() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    operator.stop();
  }
}
