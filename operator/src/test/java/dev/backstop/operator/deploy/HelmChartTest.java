package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.backstop.operator.cli.BackstopCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Helm chart in its two modes (remoteEngines, the default, and nodeEngine) lints and renders
 * the topology its values.yaml and the README describe; manifests/ is the chart rendered with
 * defaults (refresh: see {@link #MANIFEST}). That the RBAC rules are exactly the API calls the
 * operator makes is checked against recorded calls in ClusterHaIT.
 */
public class HelmChartTest {

  static final Path CHART = Path.of("../helm/backstop");
  /** Regenerate with -Dbackstop.writeManifests=true when the chart changes. */
  static final Path MANIFEST = Path.of("../manifests/backstop.yaml");
  static final String NS = "backstop-system";

  /** The nodeEngine settings the README shows: {@code --set mode=nodeEngine --set nodeSelector...}. */
  static final UnaryOperator<TemplateCommand> NODE_ENGINE = t -> t.set("mode", "nodeEngine")
      .set("nodeSelector.kubernetes\\.io/hostname", "docker-node-1");
  /** The remoteEngines settings the README shows: a default engine, an ssh Secret, S3 backup credentials. */
  static final UnaryOperator<TemplateCommand> REMOTE_ENGINES = t -> t
      .set("docker.host", "tcp://docker.internal:2376").set("ssh.secretName", "backstop-ssh")
      .set("backups.s3.secretName", "backstop-backups");

  /** The push-webhook settings the README shows, naming the Secret its kubectl command creates. */
  public static final UnaryOperator<TemplateCommand> GIT_HOOK = t -> t.set("gitHook.secretName", "backstop-git-hook");

  @TempDir Path tmp;

  @Test
  void bothModesLintCleanly() throws Exception {
    LintResult remote = new Helm(CHART).lint().strict().call();
    assertThat(remote.isFailed()).as("helm lint (remoteEngines): %s", remote.getMessages()).isFalse();
    // helm-java's lint takes no values: lint a copy whose values.yaml selects nodeEngine.
    Path copy = copyChart(values -> replaceLine(replaceLine(values, "mode: remoteEngines", "mode: nodeEngine"),
        "nodeSelector: {}", "nodeSelector: {kubernetes.io/hostname: docker-node-1}"));
    LintResult node = new Helm(copy).lint().strict().call();
    assertThat(node.isFailed()).as("helm lint (nodeEngine): %s", node.getMessages()).isFalse();
  }

  @Test
  void remoteEnginesRunSeveralReplicasWithLeaderElectionAClaimEachAndNoNodeSocket() throws Exception {
    List<GenericKubernetesResource> docs = render(REMOTE_ENGINES);
    assertThat(docs).noneMatch(d -> d.getKind().equals("Deployment"));
    StatefulSet sts = typed(docs, "StatefulSet", StatefulSet.class);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(2);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    Service svc = typed(docs, "Service", Service.class);
    assertThat(sts.getSpec().getServiceName()).isEqualTo(svc.getMetadata().getName());
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");

    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    Container c = operator(pod);
    assertThat(c.getArgs()).contains("operator", "--state=/var/lib/backstop", "--compose-policy=Baseline",
        "--leader-election",
        "--lease-namespace=" + NS).doesNotContain("--no-leader-election");
    assertThat(leaderElectionParsedFrom(c.getArgs())).isTrue();
    assertThat(ChartRbac.rules(docs, "Role", "backstop-leader-election"))
        .containsOnlyKeys("coordination.k8s.io/leases");

    var claim = sts.getSpec().getVolumeClaimTemplates();
    assertThat(claim).singleElement().satisfies(pvc -> {
      assertThat(pvc.getMetadata().getName()).isEqualTo("state");
      assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
      assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("5Gi");
      assertThat(pvc.getSpec().getStorageClassName()).isNull();
    });
    // The claim is the state volume: no pod volume of that name, no hostPath of any kind.
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactlyInAnyOrder("tmp", "home", "ssh");
    assertThat(pod.getVolumes()).allMatch(v -> v.getHostPath() == null);
    assertThat(mounts(c)).containsExactlyInAnyOrderEntriesOf(Map.of("state", "/var/lib/backstop",
        "tmp", "/tmp", "home", "/home/backstop", "ssh", "/home/backstop/.ssh"));
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("tmp") || v.getName().equals("home"))
        .allMatch(v -> v.getEmptyDir() != null);
    Volume ssh = volume(pod, "ssh");
    assertThat(ssh.getSecret().getSecretName()).isEqualTo("backstop-ssh");
    assertThat(ssh.getSecret().getDefaultMode()).isEqualTo(0440);
    assertThat(mount(c, "ssh").getReadOnly()).isTrue();
    assertThat(c.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).containsExactly(
        tuple("DOCKER_HOST", "tcp://docker.internal:2376"), tuple("AWS_ACCESS_KEY_ID", null),
        tuple("AWS_SECRET_ACCESS_KEY", null));
    // Remote backup storage: the credentials come from the Secret, as variables of the operator only.
    assertThat(c.getEnv()).filteredOn(e -> e.getName().startsWith("AWS_"))
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("backstop-backups"))
        .extracting(e -> e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    assertThat(pod.getSecurityContext().getSupplementalGroups()).isNullOrEmpty();
    assertThat(pod.getInitContainers()).isNullOrEmpty();
    assertRestrictedOperatorContainer(pod);
  }

  @Test
  void remoteEnginesWithoutSshSecretMountNoSshAndHonourReplicasAndStorageClass() throws Exception {
    StatefulSet sts = typed(render(t -> t.set("replicas", 3).set("state.persistence.storageClassName", "fast")
        .set("state.persistence.size", "20Gi")), "StatefulSet", StatefulSet.class);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName()).isEqualTo("fast");
    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactlyInAnyOrder("tmp", "home");
    assertThat(operator(pod).getEnv()).isNullOrEmpty();
    PodSpec regional = typed(render(t -> t.set("backups.s3.region", "eu-west-1")), "StatefulSet", StatefulSet.class)
        .getSpec().getTemplate().getSpec();
    assertThat(operator(regional).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(tuple("AWS_REGION", "eu-west-1"));
    assertThatThrownBy(() -> render(t -> t.set("replicas", 0))).hasMessageContaining("replicas must be at least 1");
  }

  @Test
  void nodeEngineRunsOneReplicaOnItsNodeWithTheSocketAndAnOwnedHostPathAndNoLeaderElection() throws Exception {
    List<GenericKubernetesResource> docs = render(NODE_ENGINE);
    assertThat(docs).noneMatch(d -> d.getKind().equals("StatefulSet"));
    assertThat(docs).noneMatch(d -> d.getMetadata().getName().equals("backstop-leader-election"));
    Deployment d = typed(docs, "Deployment", Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/hostname", "docker-node-1"));

    Container c = operator(pod);
    assertThat(c.getArgs()).contains("operator", "--state=/var/lib/backstop", "--no-leader-election")
        .doesNotContain("--leader-election").noneMatch(a -> a.startsWith("--lease-namespace"));
    assertThat(leaderElectionParsedFrom(c.getArgs())).isFalse();

    Volume socket = volume(pod, "docker-socket");
    assertThat(socket.getHostPath().getPath()).isEqualTo("/var/run/docker.sock");
    assertThat(socket.getHostPath().getType()).isEqualTo("Socket");
    assertThat(mount(c, "docker-socket").getMountPath()).isEqualTo("/var/run/docker.sock");
    assertThat(pod.getSecurityContext().getSupplementalGroups()).containsExactly(999L);
    // Compose bind mounts resolve on the node: the state directory has the node's path in the pod.
    Volume state = volume(pod, "state");
    assertThat(state.getHostPath().getPath()).isEqualTo("/var/lib/backstop");
    assertThat(state.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
    assertThat(mount(c, "state").getMountPath()).isEqualTo("/var/lib/backstop");
    assertThat(mounts(c)).containsOnlyKeys("state", "tmp", "home", "docker-socket");

    assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
      assertThat(init.getImage()).isEqualTo(c.getImage());
      assertThat(init.getCommand()).containsExactly("chown", "65532:65532", "/var/lib/backstop");
      assertThat(mount(init, "state").getMountPath()).isEqualTo("/var/lib/backstop");
      var sc = init.getSecurityContext();
      assertThat(sc.getRunAsUser()).isZero();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).containsExactly("CHOWN");
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    });
    assertRestrictedOperatorContainer(pod);

    // Another state directory moves the volume, the mount, the init container and --state together.
    Deployment moved = typed(render(t -> NODE_ENGINE.apply(t).set("state.hostPath", "/srv/backstop")),
        "Deployment", Deployment.class);
    PodSpec movedPod = moved.getSpec().getTemplate().getSpec();
    assertThat(volume(movedPod, "state").getHostPath().getPath()).isEqualTo("/srv/backstop");
    assertThat(mount(operator(movedPod), "state").getMountPath()).isEqualTo("/srv/backstop");
    assertThat(operator(movedPod).getArgs()).contains("--state=/srv/backstop");
    assertThat(movedPod.getInitContainers().get(0).getCommand()).containsExactly("chown", "65532:65532",
        "/srv/backstop");
  }

  @Test
  void aGitHookSecretIsMountedReadOnlyAndNamedByHookSecretFileInBothModesAndOffByDefault() throws Exception {
    for (UnaryOperator<TemplateCommand> mode : List.of(REMOTE_ENGINES, NODE_ENGINE)) {
      PodSpec pod = podSpec(render(t -> GIT_HOOK.apply(mode.apply(t))));
      Container c = operator(pod);
      Volume hook = volume(pod, "git-hook");
      assertThat(hook.getSecret().getSecretName()).isEqualTo("backstop-git-hook");
      assertThat(hook.getSecret().getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
          .containsExactly(tuple("secret", "secret"));
      // Group-readable for fsGroup 65532, like the ssh Secret; the container's user is not root.
      assertThat(hook.getSecret().getDefaultMode()).isEqualTo(0440);
      assertThat(mount(c, "git-hook").getReadOnly()).isTrue();
      Path file = Path.of(mount(c, "git-hook").getMountPath(), "secret");
      assertThat(c.getArgs()).contains("--hook-secret-file=" + file);
      assertThat(optionParsedFrom(c.getArgs(), "--hook-secret-file", (Path) null)).isEqualTo(file);
      // Beside the other mounts, not inside one (the state directory, /tmp, ~/.ssh) where it would shadow files.
      mounts(c).forEach((name, path) -> assertThat(name.equals("git-hook") || !file.startsWith(path))
          .as("the hook secret inside mount %s", name).isTrue());

      PodSpec off = podSpec(render(mode));
      assertThat(off.getVolumes()).extracting(Volume::getName).doesNotContain("git-hook");
      assertThat(mounts(operator(off))).doesNotContainKey("git-hook");
      assertThat(operator(off).getArgs()).noneMatch(a -> a.startsWith("--hook-secret-file"));
    }
    // Another key of the Secret: only that key is mounted, and the flag names it.
    PodSpec other = podSpec(render(t -> GIT_HOOK.apply(t).set("gitHook.secretKey", "token")));
    assertThat(volume(other, "git-hook").getSecret().getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
        .containsExactly(tuple("token", "token"));
    assertThat(operator(other).getArgs()).contains("--hook-secret-file=/etc/backstop/git-hook/token");
  }

  @Test
  void nodeEngineWithoutNodeSelectorAndAnUnknownModeFailToRenderSayingWhatToSet() {
    assertThatThrownBy(() -> render(t -> t.set("mode", "nodeEngine")))
        .hasMessageContaining("mode nodeEngine drives one node's Docker engine: set nodeSelector");
    assertThatThrownBy(() -> render(t -> t.set("mode", "cluster")))
        .hasMessageContaining("mode must be nodeEngine or remoteEngines, not \"cluster\"");
  }

  @Test
  void imageIsTheChartsAppVersionWhichIsTheVersionMakeImageTags() throws Exception {
    Matcher pom = Pattern.compile("(?m)^  <version>(.+)</version>$").matcher(Files.readString(Path.of("../pom.xml")));
    assertThat(pom.find()).isTrue();
    Matcher chart = Pattern.compile("(?m)^appVersion: \"(.+)\"$").matcher(Files.readString(CHART.resolve("Chart.yaml")));
    assertThat(chart.find()).isTrue();
    assertThat(chart.group(1)).isEqualTo(pom.group(1));
    for (UnaryOperator<TemplateCommand> mode : List.of(REMOTE_ENGINES, NODE_ENGINE)) {
      assertThat(operator(podSpec(render(mode))).getImage()).isEqualTo("backstop:" + pom.group(1));
      assertThat(operator(podSpec(render(t -> mode.apply(t).set("image.repository", "registry.example/team/backstop"))))
          .getImage()).isEqualTo("registry.example/team/backstop:" + pom.group(1));
    }
  }

  @Test
  void defaultsAreRemoteEnginesAndTheCommittedManifest() throws Exception {
    assertThat(render(t -> t)).anyMatch(d -> d.getKind().equals("StatefulSet"));
    String manifest = Files.readString(MANIFEST);
    String rendered = "# Rendered from helm/backstop with default values, namespace backstop-system;\n"
        + "# HelmChartTest fails when they differ. Apply the CRD first: crds/.\n"
        + Files.readString(Path.of("../manifests/namespace.yaml")).strip() + "\n"
        + new Helm(CHART).template().withName("backstop").withNamespace(NS).call().strip() + "\n";
    if (Boolean.getBoolean("backstop.writeManifests")) {
      Files.writeString(MANIFEST, rendered);
    }
    assertThat(manifest).as("manifests/backstop.yaml is stale: rerun with -Dbackstop.writeManifests=true")
        .isEqualTo(rendered);
  }

  @Test
  void watchedNamespacesGetRolesInsteadOfAClusterRole() throws Exception {
    Map<String, TreeSet<String>> clusterWide = ChartRbac.rules(render(t -> t), "ClusterRole", "backstop");
    for (UnaryOperator<TemplateCommand> mode : List.of(REMOTE_ENGINES, NODE_ENGINE)) {
      List<GenericKubernetesResource> docs = render(t -> mode.apply(t).set("watchNamespaces[0]", "staging")
          .set("watchNamespaces[1]", "qa"));
      assertThat(docs).noneMatch(d -> d.getKind().startsWith("Cluster"));
      for (String ns : List.of("staging", "qa")) {
        Role role = Serialization.unmarshal(Serialization.asYaml(docs.stream()
            .filter(d -> d.getKind().equals("Role") && ns.equals(d.getMetadata().getNamespace())).findFirst()
            .orElseThrow()), Role.class);
        assertThat(ChartRbac.toMap(role.getRules())).isEqualTo(clusterWide);
      }
      assertThat(operator(podSpec(docs)).getArgs()).contains("--namespaces=staging,qa");
    }
  }

  /** What every mode promises of the operator container: user 65532, read-only root, no privileges, probes. */
  private static void assertRestrictedOperatorContainer(PodSpec pod) {
    var psc = pod.getSecurityContext();
    assertThat(psc.getRunAsNonRoot()).isTrue();
    assertThat(psc.getRunAsUser()).isEqualTo(65532L);
    assertThat(psc.getRunAsGroup()).isEqualTo(65532L);
    assertThat(psc.getFsGroup()).isEqualTo(65532L);
    Container c = operator(pod);
    var sc = c.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).isEqualTo(65532L);
    assertThat(sc.getRunAsGroup()).isEqualTo(65532L);
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
    assertThat(mount(c, "tmp").getMountPath()).isEqualTo("/tmp");
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(c.getArgs()).contains("--port=8080");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  /** The leader-election setting the operator's own command line reads from the rendered args. */
  private static boolean leaderElectionParsedFrom(List<String> args) {
    return optionParsedFrom(args, "--leader-election", false);
  }

  /** The value of {@code option} that the operator's own command line reads from the rendered args. */
  private static <T> T optionParsedFrom(List<String> args, String option, T otherwise) {
    CommandLine.ParseResult parsed = BackstopCommand.commandLine().parseArgs(args.toArray(String[]::new));
    return parsed.subcommand().matchedOptionValue(option, otherwise);
  }

  public static List<GenericKubernetesResource> render(UnaryOperator<TemplateCommand> settings) {
    return ChartRbac.render(settings.apply(new Helm(CHART).template().withName("backstop").withNamespace(NS)).call());
  }

  private static <T> T typed(List<GenericKubernetesResource> docs, String kind, Class<T> type) {
    return Serialization.unmarshal(Serialization.asYaml(ChartRbac.find(docs, kind, "backstop")), type);
  }

  /** The operator's pod, from whichever workload the mode renders. */
  public static PodSpec podSpec(List<GenericKubernetesResource> docs) {
    if (docs.stream().anyMatch(d -> d.getKind().equals("StatefulSet"))) {
      return typed(docs, "StatefulSet", StatefulSet.class).getSpec().getTemplate().getSpec();
    }
    return typed(docs, "Deployment", Deployment.class).getSpec().getTemplate().getSpec();
  }

  public static Container operator(PodSpec pod) {
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("operator");
    return pod.getContainers().get(0);
  }

  public static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
  }

  private static VolumeMount mount(Container c, String name) {
    return c.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no mount " + name + " in " + c.getVolumeMounts()));
  }

  private static Map<String, String> mounts(Container c) {
    return c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getName,
        VolumeMount::getMountPath));
  }

  private Path copyChart(UnaryOperator<String> values) throws IOException {
    Path copy = tmp.resolve("backstop");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    Path v = copy.resolve("values.yaml");
    Files.writeString(v, values.apply(Files.readString(v)));
    return copy;
  }

  private static String replaceLine(String text, String line, String with) {
    assertThat(text).as("values.yaml line %s", line).containsOnlyOnce("\n" + line + "\n");
    return text.replace("\n" + line + "\n", "\n" + with + "\n");
  }
}
