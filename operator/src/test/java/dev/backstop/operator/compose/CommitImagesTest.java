package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.backstop.operator.core.ImagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a commit's image plan from compose's JSON model, and compose's file lookup on disk. */
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
  void theModelsBuildsImagesAndPullPoliciesAreRead() throws Exception {
    ImagePlan plan = CommitImages.plan("shop", SHA, CONFIG);

    assertThat(plan.builtImages()).containsExactly(
        entry("app", "shop-app:0123456789ab"), entry("worker", "registry.local:5000/team/worker:0123456789ab"));
    assertThat(plan.pullGroups(null, false))
        .containsOnly(entry("missing", List.of("db")), entry("always", List.of("cache")));
  }

  @Test
  void aStackOfPulledImagesBuildsNothing() throws Exception {
    ImagePlan plan = CommitImages.plan("p", SHA, "{\"services\": {\"web\": {\"image\": \"busybox:1.36\"}}}");

    assertThat(plan.buildsImages()).isFalse();
    assertThat(plan.builtImages()).isEmpty();
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
}
