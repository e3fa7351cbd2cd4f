package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.backstop.operator.core.ImagePlan.Service;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which images a commit runs, what the override says, and which images retention may remove. */
class ImagePlanTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  private static final List<Service> SHOP = List.of(
      new Service("app", true, null, ""),
      new Service("worker", true, "registry.local:5000/team/worker:1.4", ""),
      new Service("db", false, "postgres:15", ""),
      new Service("cache", false, "redis:7", "always"),
      new Service("local", false, "mine:dev", "never"));

  @Test
  void builtServicesGetAnImageNamedForProjectAndCommit() {
    ImagePlan plan = ImagePlan.of("shop", SHA, SHOP);

    assertThat(plan.buildsImages()).isTrue();
    assertThat(plan.builtImages()).containsExactly(
        entry("app", "shop-app:0123456789ab"), entry("worker", "registry.local:5000/team/worker:0123456789ab"));
  }

  @Test
  void anExplicitImageKeepsItsRepositoryAndLosesItsTagOrDigest() {
    assertThat(ImagePlan.imageFor("p", "s", "app", SHA)).isEqualTo("app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "app:latest", SHA)).isEqualTo("app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "host:5000/app", SHA)).isEqualTo("host:5000/app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", "host:5000/a/app:2@sha256:abc", SHA))
        .isEqualTo("host:5000/a/app:0123456789ab");
    assertThat(ImagePlan.imageFor("p", "s", null, SHA)).isEqualTo("p-s:0123456789ab");
    assertThat(ImagePlan.tag(SHA)).isEqualTo("0123456789ab");
  }

  @Test
  void overrideNamesTheImagesAndLabelsThemWithProjectAndCommitOnly() throws Exception {
    JsonNode doc = yaml(ImagePlan.of("shop", SHA, SHOP).overrideYaml());

    assertThat(doc.path("services").size()).as("only built services are overridden").isEqualTo(2);
    JsonNode app = doc.path("services").path("app");
    assertThat(app.path("image").asText()).isEqualTo("shop-app:0123456789ab");
    assertThat(app.path("build").path("labels").path("dev.backstop.project").asText()).isEqualTo("shop");
    assertThat(app.path("build").path("labels").path("dev.backstop.commit").asText()).isEqualTo(SHA);
    assertThat(app.path("build").has("context")).as("the rest comes from the user's files").isFalse();
  }

  @Test
  void overrideQuotingSurvivesAnyCharacter() throws Exception {
    String odd = "on\"b\\c\nd\te:\u0001 #x \u00e9\u2028\ud83d\ude00";
    JsonNode doc = yaml(ImagePlan.of(odd, SHA, List.of(new Service("on", true, null, ""))).overrideYaml());

    assertThat(doc.path("services").path("on").path("build").path("labels").path("dev.backstop.project").asText())
        .isEqualTo(odd);
  }

  @Test
  void pullGroupsFollowEachServiceUnlessTheSpecSetsAPolicy() {
    ImagePlan plan = ImagePlan.of("shop", SHA, SHOP);

    assertThat(plan.pullGroups(null, false))
        .containsOnly(entry("missing", List.of("db")), entry("always", List.of("cache")));
    assertThat(plan.pullGroups("always", false)).containsExactly(entry("always", List.of("cache", "db", "local")));
    assertThat(plan.pullGroups("never", false)).isEmpty();
    assertThat(plan.pullGroups("always", true)).as("a rollback never insists on a registry")
        .containsExactly(entry("missing", List.of("cache", "db", "local")));
  }

  @Test
  void pulledImagesNameEachServiceWithoutBuild() {
    assertThat(ImagePlan.of("shop", SHA, SHOP).pulledImages())
        .containsExactly(entry("cache", "redis:7"), entry("db", "postgres:15"), entry("local", "mine:dev"));
  }

  @Test
  void effectiveFilesFollowComposesDefaultLookupWhenNoneAreGiven() {
    Set<String> present = Set.of("docker-compose.yml", "compose.yaml", "docker-compose.override.yml");

    assertThat(ImagePlan.effectiveFiles(List.of(), f -> false)).isEmpty();
    assertThat(ImagePlan.effectiveFiles(List.of(), present::contains))
        .containsExactly("compose.yaml", "docker-compose.override.yml");
    assertThat(ImagePlan.effectiveFiles(List.of("a.yml"), present::contains)).containsExactly("a.yml");
  }

  @Test
  void retentionRemovesOnlyImagesOfCommitsNotKept() {
    String other = "fedcba9876543210fedcba9876543210fedcba98";
    assertThat(ImageRetention.removable(
        List.of("shop-app:0123456789ab", "shop-app:fedcba987654", "host:5000/w:fedcba987654"), Set.of(SHA)))
        .containsExactly("shop-app:fedcba987654", "host:5000/w:fedcba987654");
    assertThat(ImageRetention.removable(List.of("shop-app:fedcba987654"), Set.of(SHA, other))).isEmpty();
  }

  private static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }
}
