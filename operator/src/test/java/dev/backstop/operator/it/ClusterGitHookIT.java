package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.deploy.HelmChartTest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instant GitOps in cluster mode, as the chart runs it: the built jar started with the operator
 * container's args that `helm template --set gitHook.secretName=backstop-git-hook` renders
 * (nodeEngine, this machine being the node), against the fabric8 mock API server, with the
 * webhook Secret mounted as the kubelet would. A real `git push` to a bare repository whose
 * post-receive hook signs and posts the payload to the operator's /hooks/git starts the deploy of
 * the pushed commit at once, with a 10 minute pollInterval.
 */
class ClusterGitHookIT {

  private static final String NS = "default";
  /** The chart's namespace, where its Secrets live. */
  private static final String RELEASE_NS = "backstop-system";

  @TempDir Path tmp;
  private final String project = "bshookc-" + UUID.randomUUID().toString().substring(0, 8);
  private MockCluster cluster;
  private Process operator;

  @AfterEach
  void tearDown() throws Exception {
    if (operator != null) {
      operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPushToTheRepositoryDeploysAtOnceThroughTheChartsHookSecret() throws Exception {
    DemoRepo work = DemoRepo.create(tmp.resolve("work"));
    String v1 = work.commit("v1");
    String v3 = work.commit("v3");
    HookedRepo repo = HookedRepo.create(work, tmp.resolve("shop.git"), "v1");
    cluster = new MockCluster();
    // As the README creates it.
    String secret = "s3cr3t-" + UUID.randomUUID();
    cluster.client.secrets().inNamespace(RELEASE_NS).resource(new SecretBuilder().withNewMetadata()
        .withName("backstop-git-hook").endMetadata()
        .addToData("secret", Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))
        .build()).create();

    int port = LocalModeIT.freePort();
    Path state = tmp.resolve("state");
    PodSpec pod = HelmChartTest.podSpec(HelmChartTest.render(t -> HelmChartTest.GIT_HOOK.apply(t)
        .set("mode", "nodeEngine").set("nodeSelector.kubernetes\\.io/hostname", "this-machine")
        .set("state.hostPath", state.toString()).set("metrics.port", port).set("watchNamespaces[0]", NS)
        // The bare repository is a path on this machine.
        .set("allowLocalSources", true)));
    Container c = HelmChartTest.operator(pod);
    List<String> args = mountSecrets(pod, c, tmp.resolve("kubelet"));
    Path secretFile = Path.of(args.stream().filter(a -> a.startsWith("--hook-secret-file=")).findFirst()
        .orElseThrow().substring("--hook-secret-file=".length()));
    assertThat(secretFile).startsWith(tmp.resolve("kubelet"));

    List<String> command = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("KUBECONFIG", cluster.operatorKubeconfig(tmp).toString());
    Path log = tmp.resolve("operator.log");
    operator = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .failFast("the operator process exited", () -> !operator.isAlive())
        .until(() -> get(port, "/healthz").statusCode() == 200);

    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest("demo", repo.bare, "main", project)
        .replace("    ref: main\n", "    ref: main\n    pollInterval: 10m\n")
        .replace("    projectName: " + project + "\n", "    projectName: " + project + "\n"
            + "    env:\n      - name: DEMO_PORT\n        value: \"" + LocalModeIT.freePort() + "\"\n"),
        StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    cluster.client.resource(sr).create();
    awaitStatus("v1 Healthy", Duration.ofSeconds(120),
        s -> s.getPhase() == Phase.Healthy && s.getCurrent() != null && v1.equals(s.getCurrent().getCommit()));

    repo.installPostReceive(secretFile, port);
    long pushed = System.nanoTime();
    String pushOutput = repo.push("v3");
    awaitStatus("deploying v3", Duration.ofSeconds(20), s -> isTarget(s, v3)
        || s.getCurrent() != null && v3.equals(s.getCurrent().getCommit()));
    double seconds = (System.nanoTime() - pushed) / 1e9;
    System.out.printf("[figures] cluster mode: git push -> deploy of the pushed commit in status: %.2f s"
        + " (pollInterval 10m)%n", seconds);
    assertThat(pushOutput).contains("fetching now for default/demo");
    awaitStatus("v3 Healthy", Duration.ofSeconds(120),
        s -> s.getPhase() == Phase.Healthy && v3.equals(s.getCurrent().getCommit()));

    // The mounted secret is what deliveries are checked against: another one is refused.
    String payload = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"file://" + repo.bare + "\"}}";
    HttpResponse<String> forged = HookedRepo.deliver(port, payload, Map.of("X-Gitlab-Event", "Push Hook",
        "X-Gitlab-Token", "guess"));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(HookedRepo.deliver(port, payload, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret))
        .body()).contains("fetching now for default/demo");
    assertThat(Files.readString(log)).doesNotContain(secret);
  }

  /**
   * The rendered args with every Secret volume's mount path moved to a directory below {@code root}
   * that holds the Secret's items, written from the mock API server as the kubelet mounts them.
   * The other volumes need no moving: the state hostPath is a directory of this machine, the
   * socket is this machine's, and /tmp and the home directory are the process's own.
   */
  private List<String> mountSecrets(PodSpec pod, Container c, Path root) throws Exception {
    List<String> args = new ArrayList<>(c.getArgs());
    for (VolumeMount m : c.getVolumeMounts()) {
      Volume v = HelmChartTest.volume(pod, m.getName());
      if (v.getSecret() == null) {
        continue;
      }
      Secret s = cluster.client.secrets().inNamespace(RELEASE_NS).withName(v.getSecret().getSecretName()).get();
      assertThat(s).as("Secret %s", v.getSecret().getSecretName()).isNotNull();
      Path dir = Files.createDirectories(root.resolve(m.getMountPath().substring(1)));
      for (KeyToPath item : v.getSecret().getItems()) {
        assertThat(s.getData()).as("key %s of Secret %s", item.getKey(), s.getMetadata().getName())
            .containsKey(item.getKey());
        Files.write(dir.resolve(item.getPath()), Base64.getDecoder().decode(s.getData().get(item.getKey())));
      }
      args.replaceAll(a -> a.replace("=" + m.getMountPath() + "/", "=" + dir + "/"));
    }
    return args;
  }

  private static boolean isTarget(StagingReleaseStatus s, String commit) {
    return s.getOperation() != null && s.getOperation().getTarget() != null
        && commit.equals(s.getOperation().getTarget().getCommit());
  }

  private void awaitStatus(String what, Duration bound, java.util.function.Predicate<StagingReleaseStatus> done) {
    await().alias(what).atMost(bound).pollInterval(Duration.ofMillis(50))
        .failFast("the operator process exited", () -> !operator.isAlive())
        .until(() -> {
          StagingRelease r = release().get();
          return r != null && r.getStatus() != null && done.test(r.getStatus());
        });
  }

  private Resource<StagingRelease> release() {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName("demo");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
