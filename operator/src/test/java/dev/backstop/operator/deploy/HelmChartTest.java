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
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart lints and templates, watched namespaces get the same rules as the ClusterRole,
 * and manifests/ is the chart rendered with defaults (refresh: see {@link #MANIFEST}). That the
 * rules are exactly the API calls the operator makes is checked against recorded calls in
 * ClusterHaIT.
 */
class HelmChartTest {

  static final Path CHART = Path.of("../helm/backstop");
  /** Regenerate with -Dbackstop.writeManifests=true when the chart changes. */
  static final Path MANIFEST = Path.of("../manifests/backstop.yaml");

  @Test
  void chartLintsCleanly() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
  }

  @Test
  void defaultsWatchAllNamespacesWithLeaderElectionAndExactlyTheOperatorsPermissions() throws Exception {
    List<GenericKubernetesResource> docs = render(new Helm(CHART).template().withName("backstop")
        .withNamespace("backstop-system").call());
    assertThat(rules(docs, "ClusterRole", "backstop")).isNotEmpty();
    assertThat(rules(docs, "Role", "backstop-leader-election")).containsOnlyKeys("coordination.k8s.io/leases");
    Deployment d = Serialization.unmarshal(Serialization.asYaml(find(docs, "Deployment", "backstop")), Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs()).contains("operator", "--leader-election", "--lease-namespace=backstop-system",
            "--compose-policy=Baseline")
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
    Map<String, TreeSet<String>> clusterWide = rules(render(new Helm(CHART).template().withName("backstop")
        .withNamespace("backstop-system").call()), "ClusterRole", "backstop");
    List<GenericKubernetesResource> docs = render(new Helm(CHART).template().withName("backstop")
        .withNamespace("backstop-system").set("watchNamespaces[0]", "staging").set("watchNamespaces[1]", "qa")
        .set("leaderElection.enabled", false).call());
    assertThat(docs).noneMatch(d -> d.getKind().startsWith("Cluster"));
    assertThat(docs).noneMatch(d -> d.getMetadata().getName().equals("backstop-leader-election"));
    for (String ns : List.of("staging", "qa")) {
      Role role = Serialization.unmarshal(Serialization.asYaml(docs.stream()
          .filter(d -> d.getKind().equals("Role") && ns.equals(d.getMetadata().getNamespace())).findFirst()
          .orElseThrow()), Role.class);
      assertThat(toMap(role.getRules())).isEqualTo(clusterWide);
    }
    Deployment d = Serialization.unmarshal(Serialization.asYaml(find(docs, "Deployment", "backstop")), Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--namespaces=staging,qa").doesNotContain("--leader-election");
  }

  static List<GenericKubernetesResource> render(String yaml) {
    return ChartRbac.render(yaml);
  }

  private static GenericKubernetesResource find(List<GenericKubernetesResource> docs, String kind, String name) {
    return ChartRbac.find(docs, kind, name);
  }

  private static Map<String, TreeSet<String>> rules(List<GenericKubernetesResource> docs, String kind, String name) {
    return ChartRbac.rules(docs, kind, name);
  }

  private static Map<String, TreeSet<String>> toMap(List<PolicyRule> rules) {
    return ChartRbac.toMap(rules);
  }
}
