package dev.backstop.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Invalid specs that the CRD schema can express are rejected by the API server before Backstop
 * sees them. The mock server does not validate, so this checks the schema itself: the constraint
 * is there, and it rejects the bad value and accepts the good one (as the API server would).
 */
class CrdValidationTest {

  private static final JSONSchemaProps SPEC = spec();

  private static JSONSchemaProps spec() {
    try {
      CustomResourceDefinition crd = Serialization.unmarshal(
          Files.readString(Path.of("../crds/stagingreleases.backstop.dev-v1.yml")), CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JSONSchemaProps field(String path) {
    JSONSchemaProps p = SPEC;
    for (String part : path.split("\\.")) {
      p = part.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(part);
      assertThat(p).as("schema of spec.%s", path).isNotNull();
    }
    return p;
  }

  private static void assertPattern(String path, String good, String bad) {
    String pattern = field(path).getPattern();
    assertThat(pattern).as("pattern of spec.%s", path).isNotNull();
    // API servers use Go's RE2; these patterns use only syntax both engines read alike.
    assertThat(Pattern.compile(pattern).matcher(good).find()).as("%s accepts %s", path, good).isTrue();
    assertThat(Pattern.compile(pattern).matcher(bad).find()).as("%s rejects %s", path, bad).isFalse();
  }

  @Test
  void requiredFieldsAreRequired() {
    assertThat(SPEC.getRequired()).contains("source");
    assertThat(field("source").getRequired()).contains("url", "ref");
    assertThat(field("source.secretRef").getRequired()).contains("name");
  }

  @Test
  void malformedValuesAreRejectedByTheSchema() {
    assertPattern("compose.projectName", "staging_app-1", "Staging App");
    assertPattern("compose.dockerHost", "tcp://docker.internal:2376", "docker.internal:2376");
    assertPattern("compose.dockerHost", "ssh://deploy@host", "http://host");
    assertPattern("source.ref", "release-2026.11.3", "v1 v2");
    assertPattern("source.pollInterval", "1m30s", "90");
    assertPattern("health.progressDeadline", "5m", "5 minutes");
    assertPattern("health.interval", "500ms", "-1s");
    assertPattern("source.secretRef.name", "staging-git", "Staging_Git");
    assertThat(field("health.checks.[].consecutiveFailures").getMinimum()).isEqualTo(1.0);
    assertThat(field("deletionPolicy").getEnum()).extracting(Object::toString)
        .containsExactlyInAnyOrder("\"Retain\"", "\"Down\"");
  }
}
