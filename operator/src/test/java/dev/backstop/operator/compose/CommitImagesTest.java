package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.backstop.operator.core.ImagePlan;
import dev.backstop.operator.core.ImageRetention;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitImagesTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  // Trimmed output of `docker compose config --format json` (Compose 2.26).
  private static final String CONFIG =
      """
      {"name": "shop", "services": {
        "app": {"build": {"context": "/co/app", "dockerfile": "Dockerfile",
                          "args": {"GREETING": "hi"}, "target": "final"},
                "command": ["httpd"]},
        "worker": {"build": {"context": "/co/worker"}, "image": "registry.local:5000/team/worker:1.4"},
        "db": {"image": "postgres:15"},
        "cache": {"image": "redis:7", "pull_policy": "always"},
        "local": {"image": "mine:dev", "pull_policy": "never"}
      }}
      """;

  @Test
  void builtServicesGetAnImageNamedForProjectAndCommit() throws Exception {
    ImagePlan images = CommitImages.plan("shop", SHA, CONFIG);

    assertThat(images.buildsImages()).isTrue();
    assertThat(images.builtImages())
        .containsExactly(
            entry("app", "shop-app:0123456789ab"),
            entry("worker", "registry.local:5000/team/worker:0123456789ab"));
  }

  @Test
  void anExplicitImageKeepsItsRepositoryAndLosesItsTagOrDigest() {
    assertThat(ImagePlan.imageFor("p", "s", "app", SHA)).isEqualTo("app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "app:latest", SHA)).isEqualTo("app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "host:5000/app", SHA))
        .isEqualTo("host:5000/app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "host:5000/a/app:2@sha256:abc", SHA))
        .isEqualTo("host:5000/a/app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", null, SHA)).isEqualTo("p-s:0123456789ab");
  }

  @Test
  void overrideNamesTheImagesAndLabelsThemWithProjectAndCommitOnly() throws Exception {
    String yaml = CommitImages.plan("shop", SHA, CONFIG).overrideYaml();

    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    assertThat(doc.path("services").size()).as("only built services are overridden").isEqualTo(2);
    JsonNode app = doc.path("services").path("app");
    assertThat(app.path("image").asText()).isEqualTo("shop-app:0123456789ab");
    assertThat(app.path("build").path("labels").path("dev.backstop.project").asText()).isEqualTo("shop");
    assertThat(app.path("build").path("labels").path("dev.backstop.commit").asText()).isEqualTo(SHA);
    // Args, target and context come from the user's file through Compose's merge, untouched here.
    assertThat(app.path("build").has("args")).isFalse();
    assertThat(app.path("build").has("context")).isFalse();
  }

  @Test
  void overrideQuotesNamesThatYamlWouldMisread() throws Exception {
    String config = "{\"services\": {\"on\": {\"build\": {\"context\": \".\"}}}}";

    String yaml = CommitImages.plan("p", SHA, config).overrideYaml();

    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    assertThat(doc.path("services").path("on").path("image").asText()).isEqualTo("p-on:0123456789ab");
  }

  @Test
  void pullGroupsFollowEachServiceUnlessTheSpecSetsAPolicy() throws Exception {
    ImagePlan images = CommitImages.plan("shop", SHA, CONFIG);

    assertThat(images.pullGroups(null, false))
        .containsOnly(entry("missing", List.of("db")), entry("always", List.of("cache")));
    assertThat(images.pullGroups("always", false))
        .containsExactly(entry("always", List.of("cache", "db", "local")));
    assertThat(images.pullGroups("never", false)).isEmpty();
  }

  @Test
  void aRollbackNeverInsistsOnARegistry() throws Exception {
    ImagePlan images = CommitImages.plan("shop", SHA, CONFIG);

    assertThat(images.pullGroups("always", true))
        .containsExactly(entry("missing", List.of("cache", "db", "local")));
    assertThat(images.pullGroups(null, true))
        .containsExactly(entry("missing", List.of("cache", "db")));
  }

  @Test
  void aStackOfPulledImagesBuildsNothing() throws Exception {
    ImagePlan images = CommitImages.plan("p", SHA, "{\"services\": {\"web\": {\"image\": \"busybox:1.36\"}}}");

    assertThat(images.buildsImages()).isFalse();
    assertThat(images.builtImages()).isEmpty();
  }

  @Test
  void outputThatIsNotJsonIsInvalid() {
    assertThatThrownBy(() -> CommitImages.plan("p", SHA, "services:\n  web: {}"))
        .isInstanceOfSatisfying(ComposeException.class,
            e -> assertThat(e.kind()).isEqualTo(ComposeException.Kind.INVALID))
        .hasMessageContaining("no JSON model");
  }

  @Test
  void effectiveFilesFollowComposesDefaultLookupWhenNoneAreGiven(@TempDir Path dir) throws Exception {
    assertThat(CommitImages.effectiveFiles(dir, List.of())).isEmpty();
    Files.writeString(dir.resolve("docker-compose.yml"), "services: {}\n");
    Files.writeString(dir.resolve("compose.yaml"), "services: {}\n");
    Files.writeString(dir.resolve("docker-compose.override.yml"), "services: {}\n");

    assertThat(CommitImages.effectiveFiles(dir, List.of()))
        .containsExactly("compose.yaml", "docker-compose.override.yml");
    assertThat(CommitImages.effectiveFiles(dir, List.of("a.yml", "b.yml"))).containsExactly("a.yml", "b.yml");
  }

  @Test
  void overrideQuotingSurvivesAnyCharacter() throws Exception {
    String odd = "a\"b\\c\nd\te:\u0001 #x \u00e9\u2028\ud83d\ude00";
    String yaml = CommitImages.plan(odd, SHA, "{\"services\": {\"web\": {\"build\": {}}}}").overrideYaml();

    JsonNode labels = new ObjectMapper(new YAMLFactory()).readTree(yaml)
        .path("services").path("web").path("build").path("labels");
    assertThat(labels.path("dev.backstop.project").asText()).isEqualTo(odd);
  }

  @Test
  void retentionRemovesOnlyImagesOfCommitsNotKept() {
    String other = "fedcba9876543210fedcba9876543210fedcba98";
    assertThat(ImageRetention.removable(
        List.of("shop-app:0123456789ab", "shop-app:fedcba987654", "host:5000/w:fedcba987654"), Set.of(SHA)))
        .containsExactly("shop-app:fedcba987654", "host:5000/w:fedcba987654");
    assertThat(ImageRetention.removable(List.of("shop-app:fedcba987654"), Set.of(SHA, other))).isEmpty();
  }

  @Test
  void tagsAreTwelveHexDigits() {
    assertThat(ImagePlan.tag(SHA)).isEqualTo("0123456789ab");
  }
}
