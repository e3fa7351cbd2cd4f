package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.git.AuthGitServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `kubectl backstop diff` and `kubectl backstop logs` against the mock API server: the real
 * kubectl runs the installed plugin, which reads the StagingRelease (and the git Secret it names),
 * clones a real bare repository (or a private HTTP one) itself, renders both commits with the real
 * `docker compose config`, and streams the logs of a real compose project on this machine's
 * engine, which here is also the "operator host's" engine.
 */
class ClusterDiffLogsIT {

  private static final String NS = "default";

  @TempDir Path tmp;
  private final String project = "bsdiffc-" + UUID.randomUUID().toString().substring(0, 8);
  private MockCluster cluster;
  private AuthGitServer privateRemote;

  @AfterEach
  void tearDown() throws Exception {
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
    if (privateRemote != null) {
      privateRemote.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void diffAndLogsWorkThroughTheKubeconfig() throws Exception {
    Path work = TwoCommitRepo.create(tmp.resolve("work"));
    Path bare = tmp.resolve("stack.git");
    DemoRepo.run(List.of("git", "clone", "-q", "--bare", work.toString(), bare.toString()), tmp);
    String v1 = DemoRepo.run(List.of("git", "rev-parse", "v1^{commit}"), work).trim();
    String v2 = DemoRepo.run(List.of("git", "rev-parse", "v2^{commit}"), work).trim();
    // v1 runs on this machine's engine, as the operator would have started it.
    Path running = tmp.resolve("running");
    DemoRepo.run(List.of("git", "clone", "-q", bare.toString(), running.toString()), tmp);
    DemoRepo.run(List.of("git", "checkout", "-q", v1), running);
    DemoRepo.run(List.of("docker", "compose", "-p", project, "up", "-d", "--wait"), running);

    cluster = new MockCluster();
    KubectlPlugin plugin = KubectlPlugin.install(tmp, cluster.kubeconfig(tmp));
    create("demo", "file://" + bare, project, v1, v2, spec -> { });

    KubectlPlugin.Run diff = plugin.kubectl("backstop", "diff", "demo");
    assertThat(diff.exit()).as(diff.err()).isZero();
    assertThat(diff.out()).startsWith(v1.substring(0, 7) + " -> " + v2.substring(0, 7) + "\n");
    TwoCommitRepo.assertV1ToV2(diff.out());
    JsonNode json = new ObjectMapper().readTree(plugin.kubectl("backstop", "diff", "demo", "-o", "json").out());
    assertThat(json.path("release").asText()).isEqualTo("demo");
    assertThat(json.path("from").asText()).isEqualTo(v1);
    assertThat(json.path("to").asText()).isEqualTo(v2);
    assertThat(json.path("changes").findValuesAsText("service")).contains("web", "worker");
    KubectlPlugin.Run same = plugin.kubectl("backstop", "diff", "demo", "--to", "v1", "-o", "json");
    assertThat(new ObjectMapper().readTree(same.out()).path("changes").isEmpty()).as(same.out()).isTrue();

    KubectlPlugin.Run logs = plugin.kubectl("backstop", "logs", "demo", "web", "--tail", "20");
    assertThat(logs.exit()).as(logs.err()).isZero();
    assertThat(logs.out()).contains("hello-from-web");

    // The impossible: one sentence on stderr, a non-zero exit.
    for (String command : List.of("diff", "logs")) {
      KubectlPlugin.Run unknown = plugin.kubectl("backstop", command, "nobody");
      assertThat(unknown.exit()).isNotZero();
      assertThat(unknown.err()).isEqualTo("error: stagingrelease nobody not found in namespace default\n");
    }
    create("elsewhere", "file://" + bare, project + "-elsewhere", v1, v2, spec -> { });
    KubectlPlugin.Run absent = plugin.kubectl("backstop", "logs", "elsewhere");
    assertThat(absent.exit()).isNotZero();
    assertThat(absent.err().lines().toList()).singleElement().asString()
        .startsWith("error: no container of compose project " + project + "-elsewhere on the Docker engine")
        .contains("elsewhere runs on the Docker engine of the operator's host")
        .contains("set DOCKER_HOST to that engine");

    String deadHost = "tcp://127.0.0.1:" + LocalModeIT.freePort();
    create("remote", "file://" + bare, project, v1, v2, spec -> {
      spec.getCompose().setDockerHost(deadHost);
      spec.getCompose().setTlsSecretRef(new SecretReference("engine-tls"));
    });
    KubectlPlugin.Run unreachable = plugin.kubectl("backstop", "logs", "remote");
    assertThat(unreachable.exit()).isNotZero();
    assertThat(unreachable.err().lines().toList()).singleElement().asString()
        .startsWith("error: cannot list the containers on the Docker engine at " + deadHost + ": ")
        .endsWith("; Secret 'engine-tls' (spec.compose.tlsSecretRef) is not in namespace default, so the TLS"
            + " settings of your environment (DOCKER_CERT_PATH) were used");

    // A private remote: the release's Secret when this user may read it, else the user's environment.
    String token = "t0ken-" + UUID.randomUUID();
    privateRemote = new AuthGitServer(work, "deployer", token);
    cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("git-creds")
        .endMetadata().addToStringData("username", "deployer").addToStringData("password", token).build()).create();
    create("private", privateRemote.url(), project, v1, v2,
        spec -> spec.getSource().setSecretRef(new SecretReference("git-creds")));
    KubectlPlugin.Run withSecret = plugin.kubectl("backstop", "diff", "private", "--to", "v2");
    assertThat(withSecret.exit()).as(withSecret.err()).isZero();
    TwoCommitRepo.assertV1ToV2(withSecret.out());
    create("unreadable", privateRemote.url(), project, v1, v2,
        spec -> spec.getSource().setSecretRef(new SecretReference("missing-creds")));
    KubectlPlugin.Run refused = plugin.kubectl("backstop", "diff", "unreadable");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err().lines().toList()).singleElement().asString()
        .startsWith("error: cannot check out " + v1.substring(0, 7) + " from " + privateRemote.url())
        .endsWith("; the git credentials came from your environment (BACKSTOP_GIT_TOKEN): Secret 'missing-creds'"
            + " (spec.source.secretRef) is not in namespace default")
        .doesNotContain(token);
  }

  /** A release as the operator left it: running {@code current}, deploying {@code desired} (main). */
  private void create(String name, String url, String projectName, String current, String desired,
      Consumer<StagingReleaseSpec> tweak) throws Exception {
    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest(name, Path.of("/"), "main", projectName),
        StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    sr.getSpec().getSource().setUrl(url);
    tweak.accept(sr.getSpec());
    cluster.client.resource(sr).create();
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Deploying);
    s.setCurrent(revision("v1", current));
    s.setDesired(revision("main", desired));
    cluster.setStatus(NS, name, s);
  }

  private static Revision revision(String ref, String commit) {
    Revision r = new Revision();
    r.setRef(ref);
    r.setCommit(commit);
    return r;
  }
}
