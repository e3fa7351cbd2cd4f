package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.cluster.ClusterOperator;
import dev.backstop.operator.deploy.ChartRbac;
import dev.backstop.operator.engine.FakeWorld;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas against one API server, as the chart runs them: only the Lease holder acts, the
 * other takes over when it stops. Git, Compose and Docker are in memory ({@link FakeWorld}), so
 * each replica's own world shows who acted. Also: a steady release writes no status, a failing
 * probe reconciles at once, and the RBAC the chart grants is exactly what the operator used.
 */
class ClusterHaIT {

  private static final String NS = "default";
  private static final ClusterOperator.Lease FAST = new ClusterOperator.Lease(
      Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250), null);

  @TempDir Path tmp;
  private MockCluster cluster;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One replica: its own client (as the operator's service account), engine and fake world. */
  private record Replica(String name, FakeWorld world, ClusterOperator operator) {}

  private Replica replica(String name, boolean leaderElection, ClusterOperator.Lease lease) throws Exception {
    return replica(name, leaderElection, lease, -1, null);
  }

  /** A replica serving HTTP (and /hooks/git, verified with {@code hookSecret}) on {@code port}, -1 for none. */
  private Replica replica(String name, boolean leaderElection, ClusterOperator.Lease lease, int port,
      String hookSecret) throws Exception {
    FakeWorld world = new FakeWorld();
    NamespacedKubernetesClient client = cluster.operatorClient();
    // The fakes never reach Docker: this DockerHosts holds no client or forward to close.
    DockerHosts docker = new DockerHosts();
    HealthMonitor health = new HealthMonitor(new LiveProbes(docker), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(docker, world, world, world, null, health, Clock.systemUTC());
    open.add(client);
    open.add(health);
    ClusterOperator operator = ClusterOperator.start(client, loop, health, docker, ClusterOperator.Settings.builder(
        tmp.resolve(name)).namespaces(Set.of(NS)).leaderElection(leaderElection, NS)
        .lease(new ClusterOperator.Lease(lease.duration(), lease.renewDeadline(), lease.retryPeriod(), name))
        .allowLocalSources(true).http("127.0.0.1", port).hookSecret(hookSecret).build());
    open.add(operator);
    return new Replica(name, world, operator);
  }

  @Test
  void onlyTheLeaseHolderActsTheOtherTakesOverAndRbacIsExactlyWhatWasUsed() throws Exception {
    cluster = new MockCluster();
    Replica a = replica("replica-a", true, FAST);
    await().atMost(Duration.ofSeconds(15)).until(() -> "replica-a".equals(holder()));
    Replica b = replica("replica-b", true, FAST);

    cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("git")
        .endMetadata().addToStringData("password", "t0ken").build()).create();
    // The stack reads a ConfigMap too, so every verb the chart grants is used here.
    cluster.client.configMaps().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("app-config").endMetadata().addToData("LOG_LEVEL", "debug").build()).create();
    StagingRelease demo = release("demo", "v1", "1s", "    secretRef:\n      name: git\n", "");
    demo.getSpec().setCompose(Serialization.unmarshal(
        "envFrom:\n- configMapRef:\n    name: app-config\n", dev.backstop.operator.api.v1alpha1.ComposeSpec.class));
    cluster.client.resource(demo).create();
    awaitStatus("v1 Healthy", s -> s.getPhase() == Phase.Healthy && isCommit(s, "v1"));
    assertThat(a.world().ups).singleElement().asString().contains(FakeWorld.commit("v1"));
    assertThat(holder()).isEqualTo("replica-a");

    // Steady: A keeps reconciling every second, yet writes no status and B does nothing at all.
    int requestsBefore = cluster.operatorRequests.size();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> statusWrites(requestsBefore) == 0 && b.world().ups.isEmpty());
    assertThat(a.world().ups).hasSize(1);

    int upsOfA = a.world().ups.size();
    a.operator().close();
    await().atMost(Duration.ofSeconds(15)).until(() -> "replica-b".equals(holder()));
    patchSpec("demo", "{\"spec\":{\"source\":{\"ref\":\"v2\"}}}");
    awaitStatus("v2 Healthy by replica-b", s -> s.getPhase() == Phase.Healthy && isCommit(s, "v2"));
    assertThat(b.world().ups).singleElement().asString().contains(FakeWorld.commit("v2"));
    assertThat(a.world().ups).hasSize(upsOfA);

    // Deletion runs the finalizer (deletionPolicy Retain): the stack stays, the resource goes.
    release("demo").delete();
    await().atMost(Duration.ofSeconds(15)).until(() -> release("demo").get() == null);

    // Every call above is one the chart grants, and the chart grants nothing that was not called,
    // but for the Lease update that JOSDK's start-up check demands (SelfSubjectRulesReview) and
    // the elector itself never sends (it renews by patch).
    Map<String, TreeSet<String>> used = new TreeMap<>(cluster.operatorCalls());
    used.computeIfAbsent("coordination.k8s.io/leases", k -> new TreeSet<>()).add("update");
    // Only a rollback writes its report ConfigMap (create, then patch): ClusterReportsIT uses them.
    used.computeIfAbsent("/configmaps", k -> new TreeSet<>()).addAll(List.of("create", "patch"));
    assertThat(ChartRbac.defaultGrants()).isEqualTo(used);
  }

  @Test
  void aPushDeliveredToTheStandbyMakesTheLeaderFetchAtOnce() throws Exception {
    cluster = new MockCluster();
    String secret = "s3cr3t-hook";
    int portA = LocalModeIT.freePort();
    int portB = LocalModeIT.freePort();
    Replica a = replica("replica-a", true, FAST, portA, secret);
    await().atMost(Duration.ofSeconds(15)).until(() -> "replica-a".equals(holder()));
    Replica b = replica("replica-b", true, FAST, portB, secret);
    // One remote, as both replicas' git would see it.
    for (Replica r : List.of(a, b)) {
      r.world().branches.put("main", FakeWorld.commit("v1"));
    }
    // Ten minutes between polls, a minute between requeues: only the push can explain a quick fetch.
    cluster.client.resource(release("demo", "main", "60s", "    pollInterval: 10m\n", "")).create();
    awaitStatus("v1 Healthy", s -> s.getPhase() == Phase.Healthy && isCommit(s, "v1"));

    for (Replica r : List.of(a, b)) {
      r.world().branches.put("main", FakeWorld.commit("v2"));
    }
    String payload = "{\"ref\":\"refs/heads/main\",\"after\":\"" + FakeWorld.commit("v2")
        + "\",\"repository\":{\"clone_url\":\"file:///fake/repo\"}}";
    long pushed = System.nanoTime();
    java.time.Instant pushedAt = java.time.Instant.now();
    java.net.http.HttpResponse<String> answer = HookedRepo.deliver(portB, payload, Map.of("X-GitHub-Event", "push",
        "X-GitHub-Delivery", "delivery-1", "X-Hub-Signature-256", "sha256=" + hmac(secret, payload)));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    assertThat(answer.body()).contains("fetching now for default/demo");
    awaitStatus("demo", "deploying v2", s -> isCommit(s, "v2") || s.getOperation() != null
        && s.getOperation().getTarget() != null
        && FakeWorld.commit("v2").equals(s.getOperation().getTarget().getCommit()), Duration.ofSeconds(10));
    double seen = (System.nanoTime() - pushed) / 1e9;
    awaitStatus("v2 Healthy", s -> s.getPhase() == Phase.Healthy && isCommit(s, "v2"));
    // The leader's own clock says when it started the deploy; the polling above only bounds it.
    String started = release("demo").get().getStatus().getHistory().stream()
        .filter(h -> h.getTo() != null && FakeWorld.commit("v2").equals(h.getTo().getCommit()))
        .findFirst().orElseThrow().getStartTime();
    System.out.printf("[figures] cluster mode, 2 replicas: push delivered to the standby -> leader's DeployStarted"
        + " %d ms, seen in status within %.2f s (pollInterval 10m, requeue 60 s)%n",
        Duration.between(pushedAt, java.time.Instant.parse(started)).toMillis(), seen);
    assertThat(a.world().ups).as("the leader deployed it").anyMatch(u -> u.contains(FakeWorld.commit("v2")));
    assertThat(b.world().ups).as("the standby acted on nothing").isEmpty();
    StagingRelease done = release("demo").get();
    String request = done.getMetadata().getAnnotations().get(StagingRelease.FETCH_ANNOTATION);
    assertThat(request).endsWith(" delivery-1");
    assertThat(done.getStatus().getHandledRequests()).as("handled once").containsEntry(
        StagingRelease.FETCH_ANNOTATION, request);

    // Without the permission to annotate, the push is refused with why, not accepted in vain.
    cluster.forbidden = r -> r.getMethod().equals("PATCH") && r.getPath().endsWith("/stagingreleases/demo");
    java.net.http.HttpResponse<String> refused = HookedRepo.deliver(portB, payload, Map.of("X-GitHub-Event", "push",
        "X-GitHub-Delivery", "delivery-2", "X-Hub-Signature-256", "sha256=" + hmac(secret, payload)));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("cannot annotate default/demo with backstop.dev/fetch (HTTP 403",
        "patch stagingreleases");
    assertThat(release("demo").get().getMetadata().getAnnotations())
        .containsEntry(StagingRelease.FETCH_ANNOTATION, request);
  }

  private static String hmac(String secret, String payload) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "HmacSHA256"));
    return java.util.HexFormat.of().formatHex(mac.doFinal(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void aFailingProbeReconcilesAtOnceNotAtTheNextRequeue() throws Exception {
    cluster = new MockCluster();
    AtomicInteger status = new AtomicInteger(200);
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/health", ex -> {
      ex.sendResponseHeaders(status.get(), -1);
      ex.close();
    });
    app.start();
    open.add(() -> app.stop(0));
    replica("solo", false, ClusterOperator.Lease.DEFAULT);
    // Requeue every 60 s; the check probes every 200 ms and needs 3 failures to trip.
    String check = """
          checks:
          - name: app
            type: http
            url: http://127.0.0.1:%d/health
            interval: 1s
            consecutiveFailures: 3
      """.formatted(app.getAddress().getPort());
    cluster.client.resource(release("fast", "v1", "60s", "", check)).create();
    awaitStatus("fast", "v1 Healthy", s -> s.getPhase() == Phase.Healthy, Duration.ofSeconds(20));

    status.set(500);
    long failed = System.nanoTime();
    // Without the news, the next look would be the 60 s requeue; with it, three probes' time.
    awaitStatus("fast", "check app tripped", s -> s.getChecks().stream()
        .anyMatch(c -> c.getName().equals("app") && c.getState() == CheckState.Tripped), Duration.ofSeconds(10));
    System.out.printf("[figures] cluster mode: probe failing -> check Tripped in status %.1f s (requeue 60 s)%n",
        (System.nanoTime() - failed) / 1e9);
  }

  private long statusWrites(int from) {
    return cluster.operatorRequests.subList(from, cluster.operatorRequests.size()).stream()
        .filter(r -> r.getPath().contains("/status") && !r.getMethod().equals("GET")).count();
  }

  private String holder() {
    Lease lease = cluster.client.leases().inNamespace(NS).withName(ClusterOperator.LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static StagingRelease release(
      String name, String ref, String interval, String sourceExtra, String healthExtra) {
    StagingRelease sr = Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
          namespace: %s
        spec:
          source:
            url: file:///fake/repo
            ref: %s
        %s  health:
            interval: %s
            progressDeadline: 60s
        %s""".formatted(name, NS, ref, sourceExtra, interval, healthExtra), StagingRelease.class);
    return sr;
  }

  private Resource<StagingRelease> release(String name) {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName(name);
  }

  private void patchSpec(String name, String mergePatch) {
    release(name).patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static boolean isCommit(StagingReleaseStatus s, String ref) {
    return s.getCurrent() != null && FakeWorld.commit(ref).equals(s.getCurrent().getCommit());
  }

  private void awaitStatus(String what, Predicate<StagingReleaseStatus> done) {
    awaitStatus("demo", what, done, Duration.ofSeconds(20));
  }

  private void awaitStatus(String name, String what, Predicate<StagingReleaseStatus> done, Duration within) {
    await().alias(what).atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
      StagingRelease r = release(name).get();
      return r != null && r.getStatus() != null && r.getStatus().getPhase() != null && done.test(r.getStatus());
    });
  }
}
