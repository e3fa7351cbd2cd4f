package dev.backstop.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The schema of spec.compose.env, envFrom and envFile, and status.appliedEnv, as the API server checks it. */
class EnvFieldsCrdTest {

  private static JSONSchemaProps root() throws Exception {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(Path.of("../crds/stagingreleases.backstop.dev-v1.yml")), CustomResourceDefinition.class);
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  private static JSONSchemaProps at(JSONSchemaProps p, String path) {
    for (String part : path.split("\\.")) {
      p = part.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(part);
      assertThat(p).as(path).isNotNull();
    }
    return p;
  }

  private static boolean matches(JSONSchemaProps p, String value) {
    return Pattern.compile(p.getPattern()).matcher(value).find();
  }

  @Test
  void envIsAListOfNameValueLikeAContainersEnvWithNamesChecked() throws Exception {
    JSONSchemaProps compose = at(root(), "spec.compose");
    assertThat(at(compose, "env").getType()).isEqualTo("array");
    JSONSchemaProps item = at(compose, "env.[]");
    assertThat(item.getRequired()).containsExactly("name");
    assertThat(item.getProperties()).containsOnlyKeys("name", "value");
    assertThat(matches(at(item, "name"), "DB_PASSWORD")).isTrue();
    assertThat(matches(at(item, "name"), "1BAD")).isFalse();
    assertThat(matches(at(item, "name"), "with-dash")).isFalse();
    assertThat(item.getProperties().get("name").getDescription()).contains("${NAME}");
  }

  @Test
  void envFromNamesSecretsAndConfigMapsAndEnvFileIsRelative() throws Exception {
    JSONSchemaProps compose = at(root(), "spec.compose");
    JSONSchemaProps from = at(compose, "envFrom.[]");
    assertThat(from.getProperties()).containsOnlyKeys("secretRef", "configMapRef");
    assertThat(at(from, "secretRef").getRequired()).containsExactly("name");
    assertThat(at(from, "configMapRef").getRequired()).containsExactly("name");
    assertThat(matches(at(from, "configMapRef.name"), "app-config")).isTrue();
    assertThat(matches(at(from, "configMapRef.name"), "App Config")).isFalse();
    assertThat(matches(at(compose, "envFile"), ".env")).isTrue();
    assertThat(matches(at(compose, "envFile"), "/etc/passwd")).isFalse();
    assertThat(at(compose, "envFrom").getDescription()).contains("never appear in status");
  }

  @Test
  void statusRecordsKeyNamesAndAFingerprintOnly() throws Exception {
    JSONSchemaProps applied = at(root(), "status.appliedEnv");
    assertThat(applied.getProperties()).containsOnlyKeys("fingerprint", "keys");
  }
}
