package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.deploy.OperatorImage;
import dev.backstop.operator.transport.TlsDockerd;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built operator image run as the chart's rendered StatefulSet says (user and group, fsGroup,
 * read-only root, dropped capabilities, no privilege escalation, memory limit, volumes, args, env,
 * probes), translated to {@code docker run} from {@code helm template} output, never copied by
 * hand. Its peers are real where a cluster's would be: the fabric8 mock API server (CRUD), a git
 * daemon and a second dockerd that demands TLS client certificates, which reach the operator
 * through a Secret named by {@code spec.compose.tlsSecretRef}. v1 becomes Ready, a broken v2 is
 * rolled back by itself, and the probes' endpoints answer as the probes expect throughout.
 *
 * <p>Two differences from a kubelet, both because this is not a cluster: the container joins the
 * host's network (its peers listen on loopback), and it gets a kubeconfig (KUBECONFIG, mounted
 * read-only) in place of the service-account token, since the mock API server speaks plain HTTP
 * and in-cluster configuration is HTTPS only.
 */
class OperatorPodIT {

  private static final String NS = "default";
  private static final Path CHART = Path.of("../helm/backstop");
  private static final String KUBECONFIG_IN_POD = "/etc/backstop-it/kubeconfig";

  @TempDir Path tmp;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String containerName = "backstop-pod-" + id;
  private final String project = "bspod-" + id;
  private final List<String> volumes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private MockCluster cluster;
  private TlsDockerd engine;
  private Process gitDaemon;
  private boolean started;

  @BeforeAll
  static void buildImage() throws Exception {
    OperatorImage.build();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (started) {
      docker("rm", "-f", containerName);
    }
    for (String v : volumes) {
      docker("volume", "rm", "-f", v);
    }
    if (gitDaemon != null) {
      gitDaemon.destroy();
      if (!gitDaemon.waitFor(10, TimeUnit.SECONDS)) {
        gitDaemon.destroyForcibly();
      }
    }
    if (engine != null) {
      engine.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theImageAsTheChartRunsItDeploysV1RollsBrokenV2BackAndAnswersItsProbes() throws Exception {
    engine = TlsDockerd.start(Files.createDirectories(tmp.resolve("engine-" + id)));
    String git = serveRepository();
    cluster = new MockCluster();
    int port = LocalModeIT.freePort();

    StatefulSet sts = Serialization.unmarshal(renderedDoc(new Helm(CHART).template().withName("backstop")
        .withNamespace(NS).set("metrics.port", port).set("watchNamespaces[0]", NS).set("docker.host", engine.host)
        .call(), "StatefulSet"),
        StatefulSet.class);
    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    Container operator = pod.getContainers().stream().filter(c -> c.getName().equals("operator")).findFirst()
        .orElseThrow();
    Path kubeconfig = cluster.operatorKubeconfig(tmp);
    assertThat(operator.getEnv()).extracting(EnvVar::getName).containsExactly("DOCKER_HOST");
    List<String> run = dockerRun(pod, operator, sts.getSpec().getVolumeClaimTemplates(), kubeconfig);
    System.out.println("[OperatorPodIT] " + String.join(" ", run));
    OperatorImage.Result r = OperatorImage.run(run, tmp, 60);
    assertThat(r.exit()).as("docker run: %s", r.out()).isZero();
    started = true;

    HTTPGetAction liveness = operator.getLivenessProbe().getHttpGet();
    HTTPGetAction readiness = operator.getReadinessProbe().getHttpGet();
    awaitProbes(operator, liveness, readiness, Duration.ofSeconds(60));

    cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
        .withName("engine-tls").endMetadata()
        .addToStringData("ca.pem", Files.readString(engine.certs.resolve("ca.pem")))
        .addToStringData("cert.pem", Files.readString(engine.certs.resolve("cert.pem")))
        .addToStringData("key.pem", Files.readString(engine.certs.resolve("key.pem")))
        .build()).create();
    StagingRelease sr = Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: pod
          namespace: %s
        spec:
          source:
            url: %s
            ref: v1
          compose:
            projectName: %s
            dockerHost: %s
            tlsSecretRef:
              name: engine-tls
          health:
            interval: 1s
            progressDeadline: 30s
        """.formatted(NS, git, project, engine.host), StagingRelease.class);
    cluster.client.resource(sr).create();

    StagingReleaseStatus v1 = awaitStatus("v1 Ready",
        s -> s.getPhase() == Phase.Healthy && conditionTrue(s, ConditionType.Ready));
    assertThat(v1.getCurrent().getRef()).isEqualTo("v1");
    assertThat(runningVersions()).containsExactly("v1 healthy");

    release().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"source\":{\"ref\":\"v2\"}}}");
    StagingReleaseStatus rolledBack = awaitStatus("v2 rolled back", s -> s.getPhase() == Phase.RolledBack);
    assertThat(rolledBack.getCurrent().getCommit()).isEqualTo(v1.getCurrent().getCommit());
    assertThat(rolledBack.getQuarantined()).singleElement()
        .satisfies(q -> assertThat(q.getCommit()).isNotEqualTo(v1.getCurrent().getCommit()));
    assertThat(rolledBack.getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo(ConditionType.Ready);
      assertThat(c.getStatus()).isEqualTo(ConditionStatus.False);
      assertThat(c.getReason()).isEqualTo(Reason.RolledBack);
    });
    assertThat(runningVersions()).containsExactly("v1 healthy");
    // The stack ran on the TLS engine only.
    assertThat(docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project).out()).isBlank();
    awaitProbes(operator, liveness, readiness, Duration.ofSeconds(10));
    // Nothing of the client key reached status or the operator's output.
    String key = Files.readString(engine.certs.resolve("key.pem")).lines().skip(3).findFirst().orElseThrow();
    assertThat(Serialization.asJson(release().get()) + docker("logs", containerName).out()).doesNotContain(key);
  }

  /** {@code docker run} for the rendered container, refusing what it cannot translate faithfully. */
  private List<String> dockerRun(PodSpec pod, Container c, List<PersistentVolumeClaim> claims, Path kubeconfig) {
    PodSecurityContext psc = pod.getSecurityContext();
    SecurityContext sc = c.getSecurityContext();
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--name", containerName, "--network", "host"));
    Long uid = Optional.ofNullable(sc.getRunAsUser()).orElse(psc.getRunAsUser());
    Long gid = Optional.ofNullable(sc.getRunAsGroup()).orElse(psc.getRunAsGroup());
    assertThat(uid).as("runAsUser").isNotNull();
    assertThat(gid).as("runAsGroup").isNotNull();
    cmd.addAll(List.of("--user", uid + ":" + gid));
    // The kubelet adds fsGroup and supplementalGroups to the container's groups.
    if (psc.getFsGroup() != null) {
      cmd.addAll(List.of("--group-add", psc.getFsGroup().toString()));
    }
    Optional.ofNullable(psc.getSupplementalGroups()).orElse(List.of())
        .forEach(g -> cmd.addAll(List.of("--group-add", g.toString())));
    if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
      cmd.add("--read-only");
    }
    if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
      cmd.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    if (sc.getCapabilities() != null) {
      Optional.ofNullable(sc.getCapabilities().getDrop()).orElse(List.of())
          .forEach(cap -> cmd.addAll(List.of("--cap-drop", cap)));
      Optional.ofNullable(sc.getCapabilities().getAdd()).orElse(List.of())
          .forEach(cap -> cmd.addAll(List.of("--cap-add", cap)));
    }
    Quantity memory = c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("memory");
    if (memory != null) {
      cmd.addAll(List.of("--memory", Quantity.getAmountInBytes(memory).toBigInteger().toString()));
    }
    for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
      assertThat(e.getValueFrom()).as("env %s from a reference", e.getName()).isNull();
      cmd.addAll(List.of("-e", e.getName() + "=" + e.getValue()));
    }
    Map<String, Volume> byName = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
    List<String> claimNames = claims.stream().map(p -> p.getMetadata().getName()).toList();
    for (VolumeMount m : c.getVolumeMounts()) {
      Volume v = byName.get(m.getName());
      String ro = Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : "";
      if (v == null && claimNames.contains(m.getName())) {
        // A fresh claim: a new named volume (docker gives it the image's owner, 65532, where the
        // kubelet would apply fsGroup; both leave it writable for the operator).
        String name = "backstop-pod-" + m.getName() + "-" + id;
        volumes.add(name);
        cmd.addAll(List.of("-v", name + ":" + m.getMountPath() + ro));
      } else if (v != null && v.getEmptyDir() != null) {
        // An emptyDir is writable by the pod's user and allows exec. Docker's tmpfs takes the mode
        // of the image's directory (0750, root-owned on the tmpfs) and noexec unless told.
        Long group = Optional.ofNullable(psc.getFsGroup()).orElse(gid);
        cmd.addAll(List.of("--tmpfs", m.getMountPath() + ":exec,uid=" + uid + ",gid=" + group));
      } else {
        throw new AssertionError("no docker equivalent for the mount " + m.getName() + " of " + v);
      }
    }
    cmd.addAll(List.of("-v", kubeconfig + ":" + KUBECONFIG_IN_POD + ":ro", "-e", "KUBECONFIG=" + KUBECONFIG_IN_POD));
    cmd.add(c.getImage());
    if (c.getCommand() != null && !c.getCommand().isEmpty()) {
      throw new AssertionError("the chart overrides the image's entrypoint: " + c.getCommand());
    }
    cmd.addAll(c.getArgs());
    return cmd;
  }

  /** Both probes succeed as the kubelet judges an httpGet probe: a status from 200 to 399. */
  private void awaitProbes(Container c, HTTPGetAction liveness, HTTPGetAction readiness, Duration bound) {
    await().atMost(bound).pollInterval(Duration.ofMillis(250))
        .failFast("the operator container stopped", () -> !containerRunning())
        .untilAsserted(() -> {
          for (HTTPGetAction probe : List.of(liveness, readiness)) {
            assertThat(probeStatus(c, probe)).as("%s", probe.getPath()).isBetween(200, 399);
          }
        });
  }

  private int probeStatus(Container c, HTTPGetAction probe) throws Exception {
    int port = probe.getPort().getIntVal() != null ? probe.getPort().getIntVal()
        : c.getPorts().stream().filter(p -> probe.getPort().getStrVal().equals(p.getName())).findFirst()
            .orElseThrow().getContainerPort();
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe.getPath()))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private boolean containerRunning() throws Exception {
    return docker("inspect", "-f", "{{.State.Running}}", containerName).out().strip().equals("true");
  }

  /** A repository with v1 (healthcheck passes) and v2 (it fails), served by a git daemon on loopback. */
  private String serveRepository() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("git"));
    Path repo = Files.createDirectories(base.resolve("stack"));
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "user.email", "it@backstop.dev");
    git(repo, "config", "user.name", "OperatorPodIT");
    for (String version : List.of("v1", "v2")) {
      Files.writeString(repo.resolve("compose.yaml"), """
          services:
            app:
              image: busybox:1.36
              command: ["sleep", "300"]
              # The TLS engine has no bridge of its own to offer stacks.
              network_mode: none
              init: true
              stop_grace_period: 1s
              labels:
                dev.backstop.it/version: %s
              healthcheck:
                test: ["CMD", "%s"]
                interval: 1s
                timeout: 1s
                retries: 2
          """.formatted(version, version.equals("v1") ? "true" : "false"));
      git(repo, "add", "-A");
      git(repo, "commit", "-qm", version);
      git(repo, "tag", version);
    }
    int port = LocalModeIT.freePort();
    gitDaemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--base-path=" + base,
        "--listen=127.0.0.1", "--port=" + port, base.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("git-daemon.log").toFile()).start();
    String url = "git://127.0.0.1:" + port + "/stack";
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .failFast("git daemon exited", () -> !gitDaemon.isAlive())
        .until(() -> OperatorImage.run(List.of("git", "ls-remote", url), tmp, 20).exit() == 0);
    return url;
  }

  private List<String> runningVersions() throws Exception {
    String out = OperatorImage.run(List.of("docker", "-H", engine.unixHost, "ps", "--filter",
        "label=com.docker.compose.project=" + project, "--format",
        "{{.Label \"dev.backstop.it/version\"}} {{.Status}}"), tmp, 30).out();
    return out.lines().map(l -> l.split(" ")[0] + (l.contains("(healthy)") ? " healthy" : " not-healthy")).toList();
  }

  private StagingReleaseStatus awaitStatus(String what, Predicate<StagingReleaseStatus> done) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
          .failFast("the operator container stopped", () -> !containerRunning())
          .until(() -> {
            StagingRelease r = release().get();
            return r != null && r.getStatus() != null && r.getStatus().getPhase() != null && done.test(r.getStatus());
          });
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      StagingRelease r = release().get();
      throw new AssertionError(what + " not reached; status " + (r == null ? "-" : Serialization.asJson(r.getStatus()))
          + "\noperator log:\n" + docker("logs", containerName).out(), e);
    }
    return release().get().getStatus();
  }

  private Resource<StagingRelease> release() {
    return cluster.client.resources(StagingRelease.class).inNamespace(NS).withName("pod");
  }

  private static boolean conditionTrue(StagingReleaseStatus s, ConditionType type) {
    return s.getConditions().stream().anyMatch(c -> c.getType() == type && c.getStatus() == ConditionStatus.True);
  }

  private static String renderedDoc(String yaml, String kind) {
    return Arrays.stream(yaml.split("(?m)^---\\s*$")).filter(d -> d.lines().anyMatch(("kind: " + kind)::equals))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
  }

  private OperatorImage.Result docker(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    return OperatorImage.run(cmd, tmp, 60);
  }

  private void git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    OperatorImage.Result r = OperatorImage.run(cmd, dir, 30);
    assertThat(r.exit()).as("git %s: %s", String.join(" ", args), r.out()).isZero();
  }
}
