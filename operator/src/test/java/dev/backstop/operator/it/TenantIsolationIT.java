package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.cluster.ClusterOperator;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.deploy.ChartRbac;
import dev.backstop.operator.engine.FakeWorld;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.git.AuthGitServer;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants on one operator (the chart's namespace-scoped install): team-a deploys a private
 * repository with its Secret; team-b names the same URL without it, with a wrong token, and as a
 * file:// path, and gets none of it. Real JGit against an HTTP git server needing credentials;
 * Compose and Docker are in memory ({@link FakeWorld}), so its `up`s show who deployed what. The
 * calls the operator made, per namespace, are exactly what the chart's Roles grant.
 */
class TenantIsolationIT {

  private static final String A = "team-a";
  private static final String B = "team-b";
  private static final String LEASE_NS = "backstop-system";
  private static final String TOKEN = "t0ken-of-team-a";

  @TempDir Path tmp;
  private MockCluster cluster;
  private AuthGitServer git;
  private NamespacedKubernetesClient client;
  private HealthMonitor health;
  private ClusterOperator operator;

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
    if (health != null) {
      health.close();
    }
    if (client != null) {
      client.close();
    }
    if (git != null) {
      git.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anotherNamespaceCannotDeployACachedPrivateRepositoryNorALocalPathAndRbacIsExactlyTheRoles()
      throws Exception {
    Path remote = tmp.resolve("remote");
    String commit;
    try (Git repo = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call()) {
      Files.writeString(remote.resolve("compose.yaml"), "services: {}\n");
      repo.add().addFilepattern(".").call();
      PersonIdent who = new PersonIdent("T", "t@example.com");
      commit = repo.commit().setMessage("private").setSign(false).setAuthor(who).setCommitter(who).call().name();
    }
    git = new AuthGitServer(remote, "deployer", TOKEN);
    cluster = new MockCluster();
    FakeWorld world = new FakeWorld();
    client = cluster.operatorClient();
    DockerHosts docker = new DockerHosts();
    health = new HealthMonitor(new LiveProbes(docker), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(docker, new JGitSourceRepository(tmp.resolve("state/git-cache"), k -> null),
        world, world, null, health, Clock.systemUTC());
    // As the chart starts it: no --allow-local-sources.
    operator = ClusterOperator.start(client, loop, health, docker, ClusterOperator.Settings.builder(
        tmp.resolve("state")).namespaces(Set.of(A, B)).leaderElection(true, LEASE_NS).build());

    secret(A, "git", TOKEN);
    secret(B, "git", "guessed");
    // team-a's stack also reads a ConfigMap, so every verb the chart grants is used here.
    cluster.client.configMaps().inNamespace(A).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("app-config").endMetadata().addToData("LOG_LEVEL", "debug").build()).create();
    StagingRelease app = release(A, "app", git.url(), "git");
    app.getSpec().setCompose(Serialization.unmarshal(
        "envFrom:\n- configMapRef:\n    name: app-config\n", dev.backstop.operator.api.v1alpha1.ComposeSpec.class));
    cluster.client.resource(app).create();
    awaitStatus(A, "app", "team-a Healthy", s -> s.getPhase() == Phase.Healthy);
    assertThat(release(A, "app").get().getStatus().getCurrent().getCommit()).isEqualTo(commit);

    cluster.client.configMaps().inNamespace(B).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("app-config").endMetadata().addToData("LOG_LEVEL", "info").build()).create();
    StagingRelease noSecret = release(B, "no-secret", git.url(), null);
    noSecret.getSpec().setCompose(Serialization.unmarshal(
        "envFrom:\n- configMapRef:\n    name: app-config\n", dev.backstop.operator.api.v1alpha1.ComposeSpec.class));
    cluster.client.resource(noSecret).create();
    cluster.client.resource(release(B, "wrong-token", git.url(), "git")).create();
    cluster.client.resource(release(B, "local", "file://" + remote, null)).create();
    cluster.client.resource(release(B, "cache-path", tmp.resolve("state/git-cache").toString(), null)).create();
    for (String name : List.of("no-secret", "wrong-token")) {
      awaitStatus(B, name, name + " refused", s -> ready(s) != null && ready(s).getReason() == Reason.SourceUnavailable);
    }
    for (String name : List.of("local", "cache-path")) {
      awaitStatus(B, name, name + " not allowed",
          s -> ready(s) != null && ready(s).getReason() == Reason.SourceNotAllowed);
      assertThat(ready(release(B, name).get().getStatus()).getMessage()).contains("--allow-local-sources")
          .contains("allowLocalSources");
    }
    // Reconciles keep coming (interval 1 s, resolves without fetch among them): still nothing.
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() ->
        List.of("no-secret", "wrong-token", "local", "cache-path").stream()
            .map(n -> release(B, n).get().getStatus())
            .allMatch(s -> s.getCurrent() == null && s.getPhase() != Phase.Healthy));
    assertThat(world.ups).singleElement().asString().contains(commit);
    assertThat(Files.exists(tmp.resolve("state").resolve(B))).as("no checkout for team-b").satisfiesAnyOf(
        exists -> assertThat(exists).isFalse(),
        exists -> assertThat(findCheckouts(tmp.resolve("state").resolve(B))).isEmpty());

    for (String name : List.of("no-secret", "wrong-token", "local", "cache-path")) {
      release(B, name).delete();
    }
    release(A, "app").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> release(A, "app").get() == null
        && List.of("no-secret", "wrong-token", "local", "cache-path").stream().allMatch(n -> release(B, n).get() == null));

    // Per namespace, exactly what the namespace-scoped chart grants: nothing cluster-wide, and
    // in each namespace only its Role (plus the Lease's Role where the Lease lives). The Lease
    // update is what JOSDK's start-up check demands; the elector itself renews by patch.
    Map<String, Map<String, TreeSet<String>>> used = new TreeMap<>(cluster.operatorCallsByNamespace());
    used.computeIfAbsent(LEASE_NS, k -> new TreeMap<>())
        .computeIfAbsent("coordination.k8s.io/leases", k -> new TreeSet<>()).add("update");
    // Only a rollback writes its report ConfigMap (create, then patch): ClusterReportsIT uses them.
    for (String ns : List.of(A, B)) {
      used.computeIfAbsent(ns, k -> new TreeMap<>()).computeIfAbsent("/configmaps", k -> new TreeSet<>())
          .addAll(List.of("create", "patch"));
    }
    Map<String, Map<String, TreeSet<String>>> granted = ChartRbac.namespacedGrants(LEASE_NS, List.of(A, B));
    assertThat(granted).doesNotContainKey("");
    assertThat(granted.get(A)).containsKey("/secrets");
    assertThat(used).isEqualTo(granted);
  }

  private static List<Path> findCheckouts(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals("compose.yaml")).toList();
    }
  }

  private void secret(String namespace, String name, String password) {
    cluster.client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
        .endMetadata().addToStringData("username", "deployer").addToStringData("password", password).build())
        .create();
  }

  private static Condition ready(StagingReleaseStatus s) {
    return s.getConditions() == null ? null : s.getConditions().stream()
        .filter(c -> c.getType() == ConditionType.Ready).findFirst().orElse(null);
  }

  private static StagingRelease release(String namespace, String name, String url, String secret) {
    return Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
          namespace: %s
        spec:
          source:
            url: %s
            ref: main
        %s  health:
            interval: 1s
            progressDeadline: 60s
        """.formatted(name, namespace, url, secret == null ? "" : "    secretRef:\n      name: " + secret + "\n"),
        StagingRelease.class);
  }

  private Resource<StagingRelease> release(String namespace, String name) {
    return cluster.client.resources(StagingRelease.class).inNamespace(namespace).withName(name);
  }

  private void awaitStatus(String namespace, String name, String what, Predicate<StagingReleaseStatus> done) {
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        StagingRelease r = release(namespace, name).get();
        return r != null && r.getStatus() != null && done.test(r.getStatus());
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StagingRelease r = release(namespace, name).get();
      throw new AssertionError(what + " not reached; status "
          + (r == null ? "-" : Serialization.asJson(r.getStatus())), e);
    }
  }
}
