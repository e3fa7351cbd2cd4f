package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.ProjectClaims;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.engine.ReleaseInput;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hostile-manifest table against the API side, in two layers as a cluster applies them:
 * the API server (kubectl's strict YAML parse, then the generated CRD's openAPIV3Schema checked
 * here by {@link CrdSchemaCheck}, since the fabric8 mock server does not enforce schemas), then
 * for what it admits the operator's own parse of the resource as its informer delivers it
 * (ReleaseSettings and the project claims, exactly what the reconciler runs first). CEL rules in
 * the CRD are not evaluated here; the cases they cover are caught by the operator layer.
 */
class HostileInputApiTest {

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  // kubectl refuses YAML with duplicate keys; snakeyaml's alias and nesting limits stand in for its own.
  private static final ObjectMapper STRICT_YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  @Test
  void everyHostileManifestIsRefusedByTheApiServerOrTheOperator() throws Exception {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(MockCluster.CRD_FILE), CustomResourceDefinition.class);
    JSONSchemaProps schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    String password = "pw-api-secret";
    HostileManifests table =
        new HostileManifests("bsapi", Path.of("/srv/repo"), Path.of("/tmp/never"), password, "bsapi-good");
    int bySchema = 0;
    int byOperator = 0;
    List<String> admitted = new ArrayList<>();
    List<String> leaks = new ArrayList<>();
    for (HostileManifests.Case c : table.all()) {
      String refusal = apiServer(c.yaml(), schema);
      if (refusal != null) {
        bySchema++;
      } else {
        refusal = operator(c.yaml());
        if (refusal != null) {
          byOperator++;
        } else {
          admitted.add(c.id());
        }
      }
      if (refusal != null && c.credentials() && refusal.contains(password)) {
        leaks.add(c.id());
      }
      assertThat(refusal == null ? "" : refusal).as(c.id()).doesNotContain("\tat ");
      System.out.printf("[faults] %-24s %s%n", c.id(), refusal == null ? "ADMITTED" : abbreviate(refusal));
    }
    int tried = table.all().size();
    System.out.printf("[faults] bad inputs rejected %d / tried %d (API: %d by the CRD schema, %d by the operator)%n",
        bySchema + byOperator, tried, bySchema, byOperator);
    System.out.printf("[faults] secrets leaked %d (API refusals)%n", leaks.size());
    assertThat(tried).isGreaterThanOrEqualTo(40);
    assertThat(admitted).as("hostile manifests admitted").isEmpty();
    assertThat(leaks).isEmpty();
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 157) + "...";
  }

  /** Why the API server would refuse the manifest, or null when it would store it. */
  private static String apiServer(String yaml, JSONSchemaProps schema) {
    JsonNode doc;
    try {
      doc = STRICT_YAML.readTree(yaml);
    } catch (Exception e) {
      return "not YAML: " + e.getClass().getSimpleName();
    }
    if (doc == null || !doc.isObject()) {
      return "not an object";
    }
    if (!"backstop.dev/v1alpha1".equals(doc.path("apiVersion").asText())
        || !"StagingRelease".equals(doc.path("kind").asText())) {
      return "no such resource: " + doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
    }
    String name = doc.path("metadata").path("name").asText("");
    if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      return "metadata.name '" + name + "' is not a DNS subdomain";
    }
    List<String> violations = CrdSchemaCheck.violations(doc, schema);
    return violations.isEmpty() ? null : String.join("; ", violations);
  }

  /** Why the operator refuses a stored resource (it never acts on it), or null when it would act. */
  private static String operator(String yaml) {
    StagingRelease release = Serialization.unmarshal(yaml, StagingRelease.class);
    try {
      ReleaseSettings settings = ReleaseSettings.from(release.getMetadata().getName(), release.getSpec());
      var denied = ProjectClaims.denied(List.of(
          new ProjectClaims.Claim("default/good", null, "bsapi-good", true, Instant.EPOCH),
          new ProjectClaims.Claim(ReleaseInput.keyOf(release), settings.dockerHost(), settings.projectName(), false,
              Instant.now())));
      return denied.isEmpty() ? null : denied.values().iterator().next().message();
    } catch (InvalidSpecException e) {
      return e.getMessage();
    }
  }
}
