package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart lints and templates, its RBAC grants exactly the API calls the operator makes,
 * and manifests/ is the chart rendered with defaults (refresh: see {@link #MANIFEST}).
 */
class HelmChartTest {

  static final Path CHART = Path.of("../helm/backstop");
  /** Regenerate with -Dbackstop.writeManifests=true when the chart changes. */
  static final Path MANIFEST = Path.of("../manifests/backstop.yaml");

  // Every call of cluster/: informer + finalizer (get/list/watch/patch/update), status JSON Patch,
  // Secret reads, Event creation; the Lease of leader election.
  static final Map<String, TreeSet<String>> OPERATOR_CALLS = Map.of(
      "backstop.dev/stagingreleases", set("get", "list", "watch", "patch", "update"),
      "backstop.dev/stagingreleases/status", set("patch"),
      "/secrets", set("get"),
      "/events", set("create"));
  static final Map<String, TreeSet<String>> LEASE_CALLS =
      Map.of("coordination.k8s.io/leases", set("get", "create", "update"));

  @Test
  void chartLintsCleanly() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
  }

  @Test
  void defaultsWatchAllNamespacesWithLeaderElectionAndExactlyTheOperatorsPermissions() throws Exception {
    List<GenericKubernetesResource> docs = render(new Helm(CHART).template().withName("backstop")
        .withNamespace("backstop-system").call());
    assertThat(rules(docs, "ClusterRole", "backstop")).isEqualTo(OPERATOR_CALLS);
    assertThat(rules(docs, "Role", "backstop-leader-election")).isEqualTo(LEASE_CALLS);
    Deployment d = Serialization.unmarshal(Serialization.asYaml(find(docs, "Deployment", "backstop")), Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs()).contains("operator", "--leader-election", "--lease-namespace=backstop-system")
        .noneMatch(a -> a.startsWith("--namespaces"));
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");

    String manifest = Files.readString(MANIFEST);
    String rendered = "# Rendered from helm/backstop with default values, namespace backstop-system;\n"
        + "# HelmChartTest fails when they differ. Apply the CRD first: crds/.\n"
        + Files.readString(Path.of("../manifests/namespace.yaml")).strip() + "\n"
        + new Helm(CHART).template().withName("backstop").withNamespace("backstop-system").call().strip() + "\n";
    if (Boolean.getBoolean("backstop.writeManifests")) {
      Files.writeString(MANIFEST, rendered);
    }
    assertThat(manifest).as("manifests/backstop.yaml is stale: rerun with -Dbackstop.writeManifests=true")
        .isEqualTo(rendered);
  }

  @Test
  void watchedNamespacesGetRolesInsteadOfAClusterRole() throws Exception {
    List<GenericKubernetesResource> docs = render(new Helm(CHART).template().withName("backstop")
        .withNamespace("backstop-system").set("watchNamespaces[0]", "staging").set("watchNamespaces[1]", "qa")
        .set("leaderElection.enabled", false).call());
    assertThat(docs).noneMatch(d -> d.getKind().startsWith("Cluster"));
    assertThat(docs).noneMatch(d -> d.getMetadata().getName().equals("backstop-leader-election"));
    for (String ns : List.of("staging", "qa")) {
      Role role = Serialization.unmarshal(Serialization.asYaml(docs.stream()
          .filter(d -> d.getKind().equals("Role") && ns.equals(d.getMetadata().getNamespace())).findFirst()
          .orElseThrow()), Role.class);
      assertThat(toMap(role.getRules())).isEqualTo(OPERATOR_CALLS);
    }
    Deployment d = Serialization.unmarshal(Serialization.asYaml(find(docs, "Deployment", "backstop")), Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--namespaces=staging,qa").doesNotContain("--leader-election");
  }

  static List<GenericKubernetesResource> render(String yaml) {
    return Arrays.stream(yaml.split("(?m)^---\\s*$"))
        .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
        .map(doc -> Serialization.unmarshal(doc, GenericKubernetesResource.class))
        .toList();
  }

  private static GenericKubernetesResource find(List<GenericKubernetesResource> docs, String kind, String name) {
    return docs.stream().filter(d -> d.getKind().equals(kind) && d.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static Map<String, TreeSet<String>> rules(List<GenericKubernetesResource> docs, String kind, String name) {
    Role role = Serialization.unmarshal(Serialization.asYaml(find(docs, kind, name)), Role.class);
    return toMap(role.getRules());
  }

  private static Map<String, TreeSet<String>> toMap(List<PolicyRule> rules) {
    Map<String, TreeSet<String>> m = new TreeMap<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          m.computeIfAbsent(g + "/" + res, k -> new TreeSet<>()).addAll(r.getVerbs());
        }
      }
    }
    return m;
  }

  private static TreeSet<String> set(String... verbs) {
    return new TreeSet<>(List.of(verbs));
  }
}
