package dev.backstop.operator.deploy;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the Helm chart's RBAC grants, as "group/resource" to verbs, for comparison with real calls. */
public final class ChartRbac {

  private ChartRbac() {}

  /** Everything the default rendering grants the operator: its ClusterRole plus the Lease Role. */
  public static Map<String, TreeSet<String>> defaultGrants() {
    List<GenericKubernetesResource> docs = render(new Helm(HelmChartTest.CHART).template().withName("backstop")
        .withNamespace("backstop-system").call());
    Map<String, TreeSet<String>> all = new TreeMap<>(rules(docs, "ClusterRole", "backstop"));
    rules(docs, "Role", "backstop-leader-election").forEach((k, v) -> all.merge(k, v, (a, b) -> {
      TreeSet<String> both = new TreeSet<>(a);
      both.addAll(b);
      return both;
    }));
    return all;
  }

  /**
   * What a namespace-scoped install grants, per namespace ("" for ClusterRoles): the chart rendered
   * into {@code releaseNamespace} with {@code watchNamespaces} and leader election.
   */
  public static Map<String, Map<String, TreeSet<String>>> namespacedGrants(
      String releaseNamespace, List<String> watchNamespaces) {
    var template = new Helm(HelmChartTest.CHART).template().withName("backstop").withNamespace(releaseNamespace);
    for (int i = 0; i < watchNamespaces.size(); i++) {
      template = template.set("watchNamespaces[" + i + "]", watchNamespaces.get(i));
    }
    Map<String, Map<String, TreeSet<String>>> grants = new TreeMap<>();
    for (GenericKubernetesResource doc : render(template.call())) {
      boolean cluster = doc.getKind().equals("ClusterRole");
      if (!cluster && !doc.getKind().equals("Role")) {
        continue;
      }
      Role role = Serialization.unmarshal(Serialization.asYaml(doc), Role.class);
      String scope = cluster ? "" : doc.getMetadata().getNamespace();
      toMap(role.getRules()).forEach((resource, verbs) -> grants.computeIfAbsent(scope, k -> new TreeMap<>())
          .computeIfAbsent(resource, k -> new TreeSet<>()).addAll(verbs));
    }
    return grants;
  }

  static List<GenericKubernetesResource> render(String yaml) {
    return Arrays.stream(yaml.split("(?m)^---\\s*$"))
        .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
        .map(doc -> Serialization.unmarshal(doc, GenericKubernetesResource.class))
        .toList();
  }

  static GenericKubernetesResource find(List<GenericKubernetesResource> docs, String kind, String name) {
    return docs.stream().filter(d -> d.getKind().equals(kind) && d.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  static Map<String, TreeSet<String>> rules(List<GenericKubernetesResource> docs, String kind, String name) {
    Role role = Serialization.unmarshal(Serialization.asYaml(find(docs, kind, name)), Role.class);
    return toMap(role.getRules());
  }

  static Map<String, TreeSet<String>> toMap(List<PolicyRule> rules) {
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
}
