package dev.backstop.operator.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.hooks.GitHookHandler;
import dev.backstop.operator.local.StatusServer;
import dev.backstop.operator.local.StatusSource;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import java.util.Optional;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Failures;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.metrics.ReleaseMetrics;
import dev.backstop.operator.notify.Notices;
import dev.backstop.operator.notify.Webhooks;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator mode: the StagingRelease controller on a cluster, plus /healthz, /readyz, /metrics and
 * the status page (read-only) on its port.
 */
public final class ClusterOperator implements AutoCloseable {

  /** Lease that replicas compete for, so that two never act on the same stack. */
  public static final String LEASE_NAME = "backstop-operator";

  /**
   * How to run; made with {@link #builder(Path)}.
   *
   * @param namespaces namespaces to watch; empty = all
   * @param leaseNamespace namespace of the Lease; null = the client's namespace
   * @param port HTTP port for probes and metrics; -1 = none
   * @param workers releases reconciled at the same time; a reconcile may run for minutes (a slow
   *     compose up, a backup), so this bounds how many slow stacks can hold the others back
   * @param allowLocalSources accept file:// and path sources, which read the operator's own
   *     filesystem (and its git cache) rather than a repository the tenant can reach
   * @param hookSecret the secret push webhooks (POST /hooks/git) are verified with; empty = every
   *     delivery is refused
   */
  public record Settings(
      Path stateDir,
      Set<String> namespaces,
      boolean leaderElection,
      String leaseNamespace,
      String bind,
      int port,
      Clock clock,
      Lease lease,
      int workers,
      boolean allowLocalSources,
      Optional<String> hookSecret) {

    /** Releases reconciled at the same time unless told otherwise. */
    public static final int DEFAULT_WORKERS = 16;

    /**
     * Settings for {@code stateDir}: all namespaces, no leader election, no HTTP port, the system
     * clock, the usual Lease, {@link #DEFAULT_WORKERS}, local sources refused, no hook secret.
     */
    public static Builder builder(Path stateDir) {
      return new Builder(stateDir);
    }

    /** Builds {@link Settings}; each setter names one option of `backstop operator`. */
    public static final class Builder {
      private final Path stateDir;
      private Set<String> namespaces = Set.of();
      private boolean leaderElection;
      private String leaseNamespace;
      private String bind = "0.0.0.0";
      private int port = -1;
      private Clock clock = Clock.systemUTC();
      private Lease lease = Lease.DEFAULT;
      private int workers = DEFAULT_WORKERS;
      private boolean allowLocalSources;
      private Optional<String> hookSecret = Optional.empty();

      private Builder(Path stateDir) {
        this.stateDir = stateDir;
      }

      /** Namespaces to watch; empty = all. */
      public Builder namespaces(Set<String> namespaces) {
        this.namespaces = namespaces;
        return this;
      }

      /** Whether to compete for the Lease in {@code leaseNamespace} (null = the client's namespace). */
      public Builder leaderElection(boolean leaderElection, String leaseNamespace) {
        this.leaderElection = leaderElection;
        this.leaseNamespace = leaseNamespace;
        return this;
      }

      /** How to compete for the Lease: timings and identity. */
      public Builder lease(Lease lease) {
        this.lease = lease;
        return this;
      }

      /** Serve probes, metrics, the status page and /hooks/git on {@code bind}:{@code port} (-1 = none). */
      public Builder http(String bind, int port) {
        this.bind = bind;
        this.port = port;
        return this;
      }

      public Builder clock(Clock clock) {
        this.clock = clock;
        return this;
      }

      public Builder workers(int workers) {
        this.workers = workers;
        return this;
      }

      /** Whether to accept file:// and path sources (`--allow-local-sources`). */
      public Builder allowLocalSources(boolean allow) {
        this.allowLocalSources = allow;
        return this;
      }

      /** Verify push webhooks (POST /hooks/git) with {@code secret}; null = refuse every delivery. */
      public Builder hookSecret(String secret) {
        this.hookSecret = Optional.ofNullable(secret);
        return this;
      }

      public Settings build() {
        return new Settings(stateDir, namespaces, leaderElection, leaseNamespace, bind, port, clock, lease, workers,
            allowLocalSources, hookSecret);
      }
    }
  }

  /**
   * How replicas compete for the Lease.
   *
   * @param identity this replica's name in the Lease; null = the pod name (HOSTNAME), else random
   */
  public record Lease(Duration duration, Duration renewDeadline, Duration retryPeriod, String identity) {
    public static final Lease DEFAULT = new Lease(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        null);
  }

  private static final Logger LOG = LoggerFactory.getLogger("backstop");

  private final Operator operator;
  private final ReleaseMetrics metrics;
  private Notices notices;
  private HttpServer http;
  private StatusServer page;
  // Set before stopping, so that giving the Lease up on shutdown is not taken for losing it.
  private volatile boolean closing;

  private ClusterOperator(Operator operator, ReleaseMetrics metrics) {
    this.operator = operator;
    this.metrics = metrics;
  }

  /**
   * Registers the controller over {@code loop} and starts it (and, with leader election, competes
   * for the Lease). {@code health} is the loop's background probes, whose news reconciles at once;
   * {@code docker} forgets a deleted release's Docker material.
   */
  public static ClusterOperator start(
      KubernetesClient client, ReleaseLoop loop, HealthMonitor health, DockerHosts docker, Settings settings)
      throws IOException {
    ClusterOperator[] self = new ClusterOperator[1];
    ReleaseMetrics metrics = new ReleaseMetrics();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(metrics.controllerMetrics())
          // Merge patch works on every API server (and the test mock, which has no SSA).
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false)
          // Each reconcile holds a thread for as long as its compose command runs (minutes).
          .withConcurrentReconciliationThreads(settings.workers())
          // On stop, let a compose command in flight finish: killing it half-way helps nobody.
          .withReconciliationTerminationTimeout(Duration.ofSeconds(60));
      if (settings.leaderElection()) {
        String namespace = settings.leaseNamespace() != null ? settings.leaseNamespace() : client.getNamespace();
        Lease lease = settings.lease();
        // JOSDK would exit on every stop of leading, also when close() gives the Lease up, and a
        // System.exit inside the shutdown hook hangs the JVM. Exit only when the Lease was lost.
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> {}, () -> {
          if (self[0] == null || !self[0].closing) {
            LOG.error("lost the Lease {}/{}: exiting so that only the new leader acts", namespace, LEASE_NAME);
            new Thread(() -> System.exit(1), "lost-lease").start();
          }
        }, leader -> LOG.info("leader of {}/{}: {}", namespace, LEASE_NAME, leader));
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, namespace, lease.duration(),
            lease.renewDeadline(), lease.retryPeriod(), lease.identity(), callbacks, false));
      }
    });
    ClusterOperator result = new ClusterOperator(operator, metrics);
    self[0] = result;
    SecretAccess secrets = new SecretAccess(client);
    result.notices = new Notices(new ConfigMapReportStore(client),
        new Webhooks(Webhooks.Policy.DEFAULT, secrets::webhookSecret, o -> result.metrics.webhookDelivery(o.name())),
        settings.clock());
    StagingReleaseReconciler reconciler =
        new StagingReleaseReconciler(loop, health, docker, settings.stateDir(), settings.clock(), result.metrics,
            new SourceAdmission(settings.allowLocalSources()), result.notices);
    // A probe that fails (or recovers) reconciles its release at once, not at the next requeue.
    health.onNews(reconciler::healthNews);
    health.onProbed(result.metrics::probed);
    RegisteredController<StagingRelease> registered = operator.register(
        reconciler,
        c -> {
          if (settings.namespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(settings.namespaces());
          }
        });
    if (settings.port() >= 0) {
      // The page reads the controller's own cache: what the operator acts on, at no API cost.
      CachedReleases releases = new CachedReleases(
          ((Controller<StagingRelease>) registered).getEventSourceManager().getControllerEventSource(),
          loop::redactor);
      result.http = result.serve(settings.bind(), settings.port(), releases);
      result.http.createContext(GitHookHandler.PATH, new GitHookHandler(settings.hookSecret(),
          (matches, delivery) -> reconciler.requestFetch(client, settings.namespaces(), matches, delivery)));
    }
    try {
      operator.start();
    } catch (RuntimeException e) {
      result.close();
      throw new IllegalStateException("cannot start the operator: " + Failures.rootMessage(e), e);
    }
    return result;
  }

  private HttpServer serve(String bind, int port, StatusSource releases) throws IOException {
    HttpServer server = StatusServer.httpServer(bind, port);
    // At / (its streams on their own threads); the paths below are longer, so they stay these.
    page = StatusServer.readOnly(releases, server);
    server.createContext("/healthz", ex -> send(ex, 200, "ok\n"));
    // A standby replica (not leader) starts no informers, so it counts as healthy and ready.
    server.createContext("/readyz", ex -> {
      boolean ok = operator.getRuntimeInfo().allEventSourcesAreHealthy();
      send(ex, ok ? 200 : 503, ok ? "ok\n" : "not ready\n");
    });
    server.createContext("/metrics", ex -> send(ex, 200, metrics.scrape()));
    page.start();
    return server;
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
    closing = true;
    if (page != null) {
      page.close();
    }
    operator.stop();
    if (notices != null) {
      notices.close();
    }
  }
}
