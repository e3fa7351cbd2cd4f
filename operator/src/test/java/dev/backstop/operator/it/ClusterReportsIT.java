package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.cli.BackstopCommand;
import dev.backstop.operator.cluster.ClusterOperator;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.engine.FakeWorld;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's rollback reports: the operator (Git, Compose and Docker in memory, {@link
 * FakeWorld}) against the mock API server keeps the last spec.rollback.reportsToKeep reports in
 * a ConfigMap owned by the release, and `backstop report` reads and annotates them through the
 * Kubernetes API.
 */
class ClusterReportsIT {

  private static final String NS = "default";

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

  @Test
  void theNewestReportsToKeepLiveInAConfigMapOwnedByTheRelease() throws Exception {
    cluster = new MockCluster();
    FakeWorld world = new FakeWorld();
    NamespacedKubernetesClient client = cluster.operatorClient();
    DockerHosts docker = new DockerHosts();
    HealthMonitor health = new HealthMonitor(new LiveProbes(docker), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(docker, world, world, world, null, health, Clock.systemUTC());
    open.add(client);
    open.add(health);
    open.add(ClusterOperator.start(client, loop, health, docker, ClusterOperator.Settings.builder(
        tmp.resolve("state")).namespaces(Set.of(NS)).leaderElection(false, NS).allowLocalSources(true).build()));

    cluster.client.resource(Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: demo
          namespace: %s
        spec:
          source:
            url: file:///fake/repo
            ref: v1
          health:
            interval: 1s
            progressDeadline: 60s
          rollback:
            reportsToKeep: 2
        """.formatted(NS), StagingRelease.class)).create();
    awaitStatus("v1 Healthy", s -> s.getPhase() == Phase.Healthy && isCommit(s, "v1"));
    assertThat(configMap()).isNull();

    // Three manual rollbacks, each from a newly deployed commit: reports #1, #2 and #3.
    for (String ref : List.of("v2", "v3", "v4")) {
      release().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"source\":{\"ref\":\"" + ref + "\"}}}");
      awaitStatus(ref + " Healthy", s -> s.getPhase() == Phase.Healthy && isCommit(s, ref));
      release().patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"annotations\":{\"" + StagingRelease.ROLLBACK_ANNOTATION + "\":\"from-" + ref + "\"}}}");
      awaitStatus("rolled back from " + ref, s -> s.getPhase() == Phase.RolledBack && !isCommit(s, ref)
          && s.getLastRollback() != null && s.getLastRollback().getFrom() != null
          && FakeWorld.commit(ref).equals(s.getLastRollback().getFrom().getCommit()));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> reportIds().equals(List.of(2, 3)));
    ConfigMap map = configMap();
    OwnerReference owner = map.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getUid()).isEqualTo(release().get().getMetadata().getUid());
    assertThat(owner.getKind()).isEqualTo("StagingRelease");
    assertThat(owner.getController()).isTrue();
    JsonNode newest = new ObjectMapper().readTree(map.getData().get("reports.json")).get(1);
    assertThat(newest.path("report").path("trigger").asText()).isEqualTo("Manual");
    assertThat(newest.path("report").path("result").asText()).isEqualTo("Succeeded");
    assertThat(newest.path("report").path("from").path("commit").asText()).isEqualTo(FakeWorld.commit("v4"));

    // The CLI through the Kubernetes API, as a person runs it.
    Path kubeconfig = cluster.kubeconfig(tmp);
    Run json = cli("report", "demo", "--kubeconfig", kubeconfig.toString(), "-n", NS, "-o", "json");
    assertThat(json.exit()).as(json.err()).isZero();
    assertThat(new ObjectMapper().readTree(json.out()).path("id").asInt()).isEqualTo(3);
    Run note = cli("report", "demo", "--kubeconfig", kubeconfig.toString(), "-n", NS, "--id", "2",
        "--root-cause", "tested by hand");
    assertThat(note.out()).isEqualTo("added to rollback report #2 of demo\n");
    Run md = cli("report", "demo", "--kubeconfig", kubeconfig.toString(), "-n", NS, "--id", "2");
    assertThat(md.out()).startsWith("# Rollback Report: demo #2").contains("**Trigger**: Manual",
        "**Root Cause**: tested by hand");
    Run old = cli("report", "demo", "--kubeconfig", kubeconfig.toString(), "-n", NS, "--id", "1");
    assertThat(old.exit()).isNotZero();
    assertThat(old.err()).isEqualTo("error: demo has no rollback report #1; it keeps #2 to #3\n");
    // The operator's reports and the CLI's notes sit in keys of their own.
    assertThat(configMap().getData()).containsKeys("reports.json", "report-notes.json");

    // The first write found no ConfigMap and created it; later ones patched it; all granted.
    assertThat(cluster.operatorCalls().get("/configmaps")).contains("create", "patch");
    ClusterModeIT.assertGranted(cluster.operatorCalls());
  }

  private List<Integer> reportIds() throws Exception {
    ConfigMap map = configMap();
    if (map == null || map.getData() == null || map.getData().get("reports.json") == null) {
      return List.of();
    }
    List<Integer> ids = new ArrayList<>();
    new ObjectMapper().readTree(map.getData().get("reports.json")).forEach(r -> ids.add(r.path("id").asInt()));
    return ids;
  }

  private ConfigMap configMap() {
    return cluster.client.configMaps().inNamespace(NS).withName("demo-rollback-reports").get();
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Resource<StagingRelease> release() {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName("demo");
  }

  private static boolean isCommit(StagingReleaseStatus s, String ref) {
    return s.getCurrent() != null && FakeWorld.commit(ref).equals(s.getCurrent().getCommit());
  }

  private void awaitStatus(String what, Predicate<StagingReleaseStatus> done) {
    await().alias(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      StagingRelease r = release().get();
      return r != null && r.getStatus() != null && r.getStatus().getPhase() != null && done.test(r.getStatus());
    });
  }
}
