package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.DeletionPolicy;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.argocd.ArgoHealthScript;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ServiceView;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator mode end to end: the built jar's `backstop operator` against a fabric8 mock API server
 * (CRUD), a real git repository, the real Compose CLI and Docker engine. The full story: v1 ready,
 * v2 broken and rolled back by itself, v3 ready, then deletion with deletionPolicy Down.
 */
class ClusterModeIT {

  private static final String NS = "default";

  @TempDir Path tmp;
  private final String project = "bsop-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts dockerHosts = new DockerHosts();
  private final DockerContainerObserver docker = new DockerContainerObserver(dockerHosts);
  private final HttpClient http = HttpClient.newHttpClient();
  private MockCluster cluster;
  private Process operator;
  private int appPort;

  @AfterEach
  void tearDown() throws Exception {
    if (operator != null) {
      operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    dockerHosts.close();
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void appliedRefsRollForwardBrokenOneRollsBackByItselfAndDeletionTakesTheStackDown() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    String v2 = repo.commit("v2");
    String v3 = repo.commit("v3");
    cluster = new MockCluster();
    appPort = LocalModeIT.freePort();
    int opPort = LocalModeIT.freePort();
    startOperator(opPort);
    await().atMost(Duration.ofSeconds(30)).until(() -> httpCode(opPort, "/healthz") == 200);

    long started = System.nanoTime();
    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest("demo", repo.dir, "v1", project), StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    cluster.client.resource(sr).create();
    StagingReleaseStatus ready1 = awaitStatus("v1 Ready", s -> s.getPhase() == Phase.Healthy && isTrue(s, ConditionType.Ready));
    double firstDeploy = (System.nanoTime() - started) / 1e9;
    assertThat(ready1.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(ready1.getObservedGeneration()).isEqualTo(release().get().getMetadata().getGeneration());
    assertThat(conditionTypes(ready1)).containsExactly("Ready", "Healthy");
    assertRunning(v1, "v1");
    assertThat(ArgoHealthScript.evaluate(release().get()).status()).isEqualTo("Healthy");
    String readySince = condition(ready1, ConditionType.Ready).getLastTransitionTime();

    long applied = System.nanoTime();
    patchSpec("{\"spec\":{\"source\":{\"ref\":\"v2\"}}}");
    StagingReleaseStatus rolledBack = awaitStatus("v2 rolled back", s -> s.getPhase() == Phase.RolledBack);
    double rollbackSeconds = (System.nanoTime() - applied) / 1e9;
    Condition ready = condition(rolledBack, ConditionType.Ready);
    assertThat(ready.getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(ready.getReason()).isEqualTo(Reason.RolledBack);
    assertThat(ready.getMessage()).contains("v1");
    assertThat(ready.getLastTransitionTime()).isNotEqualTo(readySince);
    assertThat(condition(rolledBack, ConditionType.Stalled).getReason()).isEqualTo(Reason.CommitQuarantined);
    assertThat(rolledBack.getCurrent().getCommit()).isEqualTo(v1);
    assertThat(rolledBack.getQuarantined()).singleElement().satisfies(q -> {
      assertThat(q.getCommit()).isEqualTo(v2);
      assertThat(q.getReason()).isEqualTo(Reason.HealthCheckFailed);
    });
    assertRunning(v1, "v1");
    ArgoHealthScript.Health argo = ArgoHealthScript.evaluate(release().get());
    assertThat(argo.status()).isEqualTo("Degraded");
    assertThat(argo.message()).startsWith("CommitQuarantined");

    // Level-triggered but quiet: reconciles keep running, the state and its events do not change.
    List<String> eventsAtRollback = eventReasons();
    StagingReleaseStatus stateAtRollback = release().get().getStatus();
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .until(() -> eventReasons().equals(eventsAtRollback));
    // A steady release writes no status: probes keep running, nothing in status moves.
    assertThat(Serialization.asJson(release().get().getStatus())).isEqualTo(Serialization.asJson(stateAtRollback));
    assertThat(eventsAtRollback).containsSubsequence("DeployStarted", "Applied", "DeploySucceeded",
        "DeployStarted", "Applied", "RollbackStarted", "CommitQuarantined", "RollbackSucceeded");
    assertThat(eventsAtRollback).filteredOn("CommitQuarantined"::equals).hasSize(1);
    assertThat(eventsAtRollback).filteredOn("DeploySucceeded"::equals).hasSize(1);

    patchSpec("{\"spec\":{\"source\":{\"ref\":\"v3\"},\"deletionPolicy\":\"" + DeletionPolicy.Down + "\"}}");
    StagingReleaseStatus ready3 = awaitStatus("v3 Ready",
        s -> s.getPhase() == Phase.Healthy && isTrue(s, ConditionType.Ready) && v3.equals(s.getCurrent().getCommit()));
    assertThat(condition(ready3, ConditionType.Ready).getReason()).isEqualTo(Reason.Succeeded);
    assertThat(ready3.getLastKnownGood().getCommit()).isEqualTo(v3);
    assertRunning(v3, "v3");
    assertThat(ArgoHealthScript.evaluate(release().get()).status()).isEqualTo("Healthy");
    assertThat(Serialization.asJson(release().get()) + String.join(" ", eventMessages()))
        .doesNotContain("mock-token-value");

    // JOSDK's controller metrics share the operator's /metrics with Backstop's own.
    String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(scrape).contains("operator_sdk_reconciliations_started_total{",
        "operator_sdk_reconciliations_success_total{", "backstop_deploys_total{");

    System.out.printf("[figures] operator: create -> v1 Ready %.1f s; v2 applied -> v1 serving again (RolledBack) %.1f s%n",
        firstDeploy, rollbackSeconds);

    release().delete();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> release().get() == null && docker.containers(project, null).isEmpty());
    // Nothing the operator process called is missing from the chart's RBAC.
    assertGranted(cluster.operatorCalls());
  }

  static void assertGranted(java.util.Map<String, java.util.TreeSet<String>> calls) {
    java.util.Map<String, java.util.TreeSet<String>> grants = dev.backstop.operator.deploy.ChartRbac.defaultGrants();
    assertThat(calls).isNotEmpty();
    calls.forEach((resource, verbs) -> assertThat(grants.getOrDefault(resource, new java.util.TreeSet<>()))
        .as("chart RBAC for %s", resource).containsAll(verbs));
  }

  private void startOperator(int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-Dbackstop.debug=true", "-jar", LocalModeIT.jar(), "operator",
        "--state", tmp.resolve("state").toString(), "--namespaces", NS, "--leader-election",
        "--lease-namespace", NS, "--bind", "127.0.0.1", "--port", String.valueOf(port),
        "--stack-env", "DEMO_PORT", "--allow-local-sources");
    pb.environment().put("KUBECONFIG", cluster.operatorKubeconfig(tmp).toString());
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("operator.log").toFile()));
    operator = pb.start();
  }

  // Like kubectl apply: a spec change without a resourceVersion, so it never races the status.
  private void patchSpec(String mergePatch) {
    release().patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), mergePatch);
  }

  private Resource<StagingRelease> release() {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName("demo");
  }

  private StagingReleaseStatus awaitStatus(String what, Predicate<StagingReleaseStatus> done) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .failFast("the operator process exited", () -> !operator.isAlive()).until(() -> {
        StagingRelease r = release().get();
        return r != null && r.getStatus() != null && r.getStatus().getPhase() != null && done.test(r.getStatus());
      });
    } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
      StagingRelease r = release().get();
      throw new AssertionError(what + " not reached; status " + (r == null ? "-" : Serialization.asJson(r.getStatus()))
          + "\noperator log:\n" + Files.readString(tmp.resolve("operator.log")), e);
    }
    return release().get().getStatus();
  }

  private List<Event> events() {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "demo".equals(e.getInvolvedObject().getName()))
        .sorted(java.util.Comparator.comparing((Event e) -> e.getMetadata().getName()))
        .toList();
  }

  private List<String> eventReasons() {
    return events().stream().map(Event::getReason).toList();
  }

  private List<String> eventMessages() {
    return events().stream().map(Event::getMessage).toList();
  }

  private static boolean isTrue(StagingReleaseStatus s, ConditionType type) {
    Condition c = condition(s, type);
    return c != null && c.getStatus() == ConditionStatus.True;
  }

  private static Condition condition(StagingReleaseStatus s, ConditionType type) {
    return s.getConditions().stream().filter(c -> c.getType() == type).findFirst().orElse(null);
  }

  private static List<String> conditionTypes(StagingReleaseStatus s) {
    return s.getConditions().stream().map(c -> c.getType().name()).toList();
  }

  private void assertRunning(String commit, String version) throws Exception {
    List<ContainerState> containers = docker.containers(project, null);
    assertThat(containers).extracting(ContainerState::service).containsExactly("web");
    ContainerState web = containers.get(0);
    assertThat(web.running()).isTrue();
    assertThat(web.health()).isEqualTo(ContainerState.Health.HEALTHY);
    assertThat(ServiceView.commitOf(web.workingDir())).isEqualTo(commit);
    String served = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort + "/version")).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim();
    assertThat(served).isEqualTo(version);
  }

  private int httpCode(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
