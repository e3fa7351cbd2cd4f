package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.cluster.ClusterOperator;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.git.JGitSourceRepository;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator behind the API a person uses: the real kubectl against the mock API server, and bad
 * input (unknown ref, missing or incomplete Secret) that must say why and touch no container.
 */
class ClusterApiIT {

  private static final String NS = "default";

  @TempDir static Path tmp;
  private static MockCluster cluster;
  private static ClusterOperator operator;
  private static DockerHosts dockerHosts;
  private static DockerContainerObserver docker;
  private static HealthMonitor health;
  private static DemoRepo repo;
  private static Path kubeconfig;
  private static io.fabric8.kubernetes.client.KubernetesClient operatorClient;
  private final String project = "bsapi-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void start() throws Exception {
    repo = DemoRepo.create(tmp.resolve("repo"));
    cluster = new MockCluster();
    kubeconfig = cluster.kubeconfig(tmp);
    dockerHosts = new DockerHosts();
    docker = new DockerContainerObserver(dockerHosts);
    operatorClient = cluster.operatorClient();
    health = new HealthMonitor(new LiveProbes(dockerHosts), Clock.systemUTC());
    ReleaseLoop loop = LiveStack.loop(dockerHosts, new JGitSourceRepository(tmp.resolve("state/git-cache"), k -> null),
        new DockerComposeCli(), docker, new DockerDatabaseBackups(dockerHosts), health, Clock.systemUTC());
    operator = ClusterOperator.start(operatorClient, loop, health, dockerHosts,
        ClusterOperator.Settings.builder(tmp.resolve("state")).allowLocalSources(true).build());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
      health.close();
      // Nothing the operator called for bad input and kubectl's changes is missing from the chart.
      ClusterModeIT.assertGranted(cluster.operatorCalls());
      operatorClient.close();
    }
    if (dockerHosts != null) {
      dockerHosts.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void kubectlAppliesGetsReappliesAndAnnotatesThroughDiscoveryBuiltFromTheCrd() throws Exception {
    Path example = Path.of("../examples/stagingrelease-minimal.yaml");
    assertThat(kubectl("apply", "--validate=false", "-f", example.toString())).contains("stagingrelease.backstop.dev/demo created");
    assertThat(kubectl("get", "sr")).contains("demo");
    assertThat(kubectl("get", "sr", "demo", "-o", "jsonpath={.spec.source.ref}")).isEqualTo("v1");
    // The example's host does not exist here: the operator must say so in the Ready condition.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "demo", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")
            .equals("SourceUnavailable"));
    assertThat(kubectl("get", "sr", "demo", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
        .contains("git.example.com");

    Path v2 = tmp.resolve("minimal-v2.yaml");
    Files.writeString(v2, Files.readString(example).replace("ref: v1", "ref: v2"));
    assertThat(kubectl("apply", "--validate=false", "-f", v2.toString())).contains("configured");
    assertThat(kubectl("get", "sr", "demo", "-o", "jsonpath={.spec.source.ref}")).isEqualTo("v2");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "demo", "-o", "jsonpath={.status.observedGeneration}").equals("2"));

    assertThat(kubectl("annotate", "sr", "demo", StagingRelease.RETRY_ANNOTATION + "=first")).contains("annotated");
    assertThat(kubectl("get", "sr", "demo", "-o", "jsonpath={.metadata.annotations.backstop\\.dev/retry}"))
        .isEqualTo("first");
    // Annotations change no generation: the reconciler must still see them (not generation-aware).
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "demo", "-o", "jsonpath={.status.handledRequests.backstop\\.dev/retry}").equals("first"));
    kubectl("delete", "sr", "demo");
  }

  @Test
  void kubectlAnnotateBackupTakesOneBackupOfTheRunningStack() throws Exception {
    // The dump is the web container's own files: enough to show the request path end to end (the
    // dump and restore themselves are tested against PostgreSQL elsewhere).
    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest("bk", repo.dir, "v1", project + "-bk"),
        StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    BackupSpec backup = new BackupSpec();
    backup.setService("web");
    backup.setCommand("tar -c -C /www .");
    sr.getSpec().setBackup(backup);
    cluster.client.resource(sr).create();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "bk", "-o", "jsonpath={.status.phase}").equals("Healthy"));
    int before = release("bk").getStatus().getBackups().size();

    assertThat(kubectl("annotate", "sr", "bk", StagingRelease.BACKUP_ANNOTATION + "=now")).contains("annotated");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
        release("bk").getStatus().getBackups().size() == before + 1);
    BackupRecord taken = release("bk").getStatus().getBackups().get(release("bk").getStatus().getBackups().size() - 1);
    assertThat(taken.getSize()).isPositive();
    Path file = tmp.resolve("state").resolve(NS).resolve("bk").resolve("backups").resolve(taken.getName() + ".gz");
    assertThat(file).exists();
    // The same value again is no new request.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
        release("bk").getStatus().getBackups().size() == before + 1);
    kubectl("delete", "sr", "bk");
    DemoRepo.run(List.of("docker", "compose", "-p", project + "-bk", "down", "-t", "1"), tmp);
  }

  @Test
  void aSecondReleaseNamingARunningProjectIsStalledAndTheRunningStackKeepsItsContainer() throws Exception {
    StagingRelease owner = Serialization.unmarshal(DemoRepo.manifest("owner", repo.dir, "v1", project + "-own"),
        StagingRelease.class);
    owner.getMetadata().setNamespace(NS);
    cluster.client.resource(owner).create();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "owner", "-o", "jsonpath={.status.phase}").equals("Healthy"));
    String container = docker.containers(project + "-own", null).get(0).id();

    // Another ref of the same repository, so that running it would recreate the container.
    StagingRelease rival = Serialization.unmarshal(DemoRepo.manifest("rival", repo.dir, "v2", project + "-own"),
        StagingRelease.class);
    rival.getMetadata().setNamespace(NS);
    cluster.client.resource(rival).create();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
        kubectl("get", "sr", "rival", "-o", "jsonpath={.status.conditions[?(@.type==\"Stalled\")].reason}")
            .equals("DuplicateProject"));
    assertThat(kubectl("get", "sr", "rival", "-o", "jsonpath={.status.conditions[?(@.type==\"Stalled\")].message}"))
        .contains("belongs to release default/owner");
    assertThat(release("rival").getStatus().getCurrent()).isNull();
    // A few more reconciles of both: the owner's container is the same one throughout.
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() ->
        docker.containers(project + "-own", null).stream().map(c -> c.id()).toList().equals(List.of(container)));
    kubectl("delete", "sr", "rival");
    kubectl("delete", "sr", "owner");
    DemoRepo.run(List.of("docker", "compose", "-p", project + "-own", "down", "-t", "1"), tmp);
  }

  @Test
  void unknownRefIsStalledWithRefNotFoundAndNoContainer() throws Exception {
    create("badref", "nope", "");
    awaitReady("badref", "RefNotFound");
    assertThat(readyMessage("badref")).contains("ref 'nope' not found");
    assertThat(stalledReason("badref")).isEqualTo("RefNotFound");
    assertThat(docker.containers(project, null)).isEmpty();
    assertThat(eventsOf("badref")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("NotReady");
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).startsWith("RefNotFound: ");
    });
  }

  @Test
  void missingSecretIsStalledWithSecretNotFoundAndNoContainer() throws Exception {
    create("nosecret", "v1", "    secretRef:\n      name: absent\n");
    awaitReady("nosecret", "SecretNotFound");
    assertThat(readyMessage("nosecret"))
        .isEqualTo("Secret 'absent' (spec.source.secretRef) not found in namespace default; create it or fix the name");
    assertThat(stalledReason("nosecret")).isEqualTo("SecretNotFound");
    assertThat(docker.containers(project, null)).isEmpty();
  }

  @Test
  void secretWithoutCredentialsIsSecretInvalidAndItsValuesNeverShow() throws Exception {
    cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("wrong")
        .endMetadata().addToStringData("user", "s3cr3t-value-xyz").build()).create();
    create("badsecret", "v1", "    secretRef:\n      name: wrong\n");
    awaitReady("badsecret", "SecretInvalid");
    assertThat(readyMessage("badsecret")).contains("Secret 'wrong'", "'password'", "'ssh-privatekey'");
    String everything = Serialization.asJson(release("badsecret")) + eventsOf("badsecret");
    assertThat(everything).doesNotContain("s3cr3t-value-xyz");
    assertThat(docker.containers(project, null)).isEmpty();
  }

  private void create(String name, String ref, String sourceExtra) {
    String yaml = DemoRepo.manifest(name, repo.dir, ref, project)
        .replace("    ref: " + ref + "\n", "    ref: " + ref + "\n" + sourceExtra);
    StagingRelease sr = Serialization.unmarshal(yaml, StagingRelease.class);
    sr.getMetadata().setNamespace(NS);
    cluster.client.resource(sr).create();
  }

  private static StagingRelease release(String name) {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName(name).get();
  }

  private static void awaitReady(String name, String reason) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      StagingRelease r = release(name);
      return r != null && r.getStatus() != null && r.getStatus().getConditions().stream()
          .anyMatch(c -> c.getType().name().equals("Ready") && c.getStatus().name().equals("False")
              && c.getReason().name().equals(reason));
    });
  }

  private static String readyMessage(String name) {
    return release(name).getStatus().getConditions().stream().filter(c -> c.getType().name().equals("Ready"))
        .findFirst().orElseThrow().getMessage();
  }

  private static String stalledReason(String name) {
    return release(name).getStatus().getConditions().stream().filter(c -> c.getType().name().equals("Stalled"))
        .findFirst().orElseThrow().getReason().name();
  }

  private static List<Event> eventsOf(String name) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private static String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", NS));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(tmp, "kubectl", ".err");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), Files.readString(err)).isZero();
    return out.trim();
  }
}
