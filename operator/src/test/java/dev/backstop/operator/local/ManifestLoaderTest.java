package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {

  @TempDir Path dir;

  private static final String HEADER = "apiVersion: backstop.dev/v1alpha1\nkind: StagingRelease\n";

  private static String release(String name, String ref) {
    return HEADER
        + "metadata:\n  name: "
        + name
        + "\nspec:\n  source:\n    url: https://git.example/app.git\n    ref: "
        + ref
        + "\n";
  }

  private void write(String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content);
  }

  private ManifestSet load() throws IOException {
    return new ManifestLoader(dir).load();
  }

  private ManifestProblem onlyProblem(ManifestSet set) {
    assertThat(set.problems()).hasSize(1);
    ManifestProblem problem = set.problems().get(0);
    assertThat(problem.message()).doesNotContain("Exception", "com.fasterxml", "java.");
    return problem;
  }

  @Test
  void loadsTwoReleasesFromOneMultiDocumentFile() throws IOException {
    write(
        "releases.yaml",
        release("web", "main")
            + "---\n"
            + HEADER
            + "metadata:\n"
            + "  name: api\n"
            + "  namespace: staging\n"
            + "  labels: {team: core}\n"
            + "  annotations: {backstop.dev/rollback: \"1\"}\n"
            + "spec:\n"
            + "  source: {url: /srv/api.git, ref: v1.2.0, pollInterval: 30s}\n"
            + "  compose: {projectName: api, files: [compose.yaml, compose.prod.yaml]}\n"
            + "  health:\n"
            + "    progressDeadline: 3m\n"
            + "    checks:\n"
            + "    - {name: up, type: serviceHealth, services: [api], consecutiveFailures: 3}\n"
            + "  rollback: {automatic: false}\n"
            + "  suspend: true\n");

    ManifestSet set = load();

    assertThat(set.problems()).isEmpty();
    assertThat(set.releases())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("web", "api");
    StagingRelease web = set.releases().get(0);
    assertThat(web.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(web.getSpec().getSource().getRef()).isEqualTo("main");
    StagingRelease api = set.releases().get(1);
    assertThat(api.getMetadata().getNamespace()).isEqualTo("staging");
    assertThat(api.getMetadata().getLabels()).containsEntry("team", "core");
    assertThat(api.getMetadata().getAnnotations())
        .containsEntry(StagingRelease.ROLLBACK_ANNOTATION, "1");
    assertThat(api.getSpec().getSource().getPollInterval()).isEqualTo("30s");
    assertThat(api.getSpec().getCompose().getFiles())
        .containsExactly("compose.yaml", "compose.prod.yaml");
    assertThat(api.getSpec().getHealth().getChecks().get(0).getType())
        .isEqualTo(CheckType.SERVICE_HEALTH);
    assertThat(api.getSpec().getHealth().getChecks().get(0).getConsecutiveFailures()).isEqualTo(3);
    assertThat(api.getSpec().getRollback().getAutomatic()).isFalse();
    assertThat(api.getSpec().getSuspend()).isTrue();
  }

  @Test
  void readsYmlFilesInNameOrderAndSkipsEmptyDocuments() throws IOException {
    write("b.yml", "---\n" + release("second", "main") + "---\n");
    write("a.YAML", release("first", "main"));

    assertThat(load().releases())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("first", "second");
  }

  @Test
  void reportsUnparseableYamlWithLineAndColumn() throws IOException {
    write("broken.yaml", release("web", "main") + "---\n" + HEADER + "metadata:\n  name: [api\n");
    write("good.yaml", release("ok", "main"));

    ManifestSet set = load();

    ManifestProblem problem = onlyProblem(set);
    assertThat(problem.file()).isEqualTo(dir.resolve("broken.yaml"));
    assertThat(problem.name()).isNull();
    assertThat(problem.message())
        .startsWith("broken.yaml: not valid YAML at line 14, column 1:")
        .contains("flow sequence")
        .contains("line 13, column 9")
        .contains("no document in this file was loaded");
    assertThat(set.releases()).extracting(r -> r.getMetadata().getName()).containsExactly("ok");
  }

  @Test
  void reportsDuplicateKeysAsInvalidYaml() throws IOException {
    write("dup.yaml", release("web", "main") + "metadata:\n  name: other\n");

    assertThat(onlyProblem(load()).message())
        .contains("dup.yaml: not valid YAML at line 9")
        .contains("duplicate key 'metadata'");
  }

  @Test
  void ignoresOtherKindsButReportsWrongApiVersion() throws IOException {
    write(
        "mixed.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n"
            + "---\n"
            + "services: {web: {image: nginx}}\n"
            + "---\n"
            + "- just a list\n"
            + "---\n"
            + release("web", "main").replace("v1alpha1", "v1beta1"));

    ManifestSet set = load();

    ManifestProblem problem = onlyProblem(set);
    assertThat(problem.name()).isEqualTo("web");
    assertThat(problem.message())
        .isEqualTo(
            "mixed.yaml, document 4 (line 10): apiVersion 'backstop.dev/v1beta1' is not supported"
                + " for StagingRelease; use backstop.dev/v1alpha1");
    assertThat(set.releases()).isEmpty();
  }

  @Test
  void reportsMissingOrMisspelledKindOfOurApiVersion() throws IOException {
    write("nokind.yaml", release("web", "main").replace("kind: StagingRelease\n", ""));
    write(
        "case.yaml",
        release("api", "main").replace("kind: StagingRelease", "kind: stagingrelease"));

    ManifestSet set = load();

    assertThat(set.problems())
        .extracting(ManifestProblem::message)
        .containsExactly(
            "case.yaml: kind 'stagingrelease' must be spelled StagingRelease",
            "nokind.yaml: kind is required; add kind: StagingRelease");
  }

  @Test
  void reportsMissingName() throws IOException {
    write("noname.yaml", release("web", "main").replace("  name: web\n", "  labels: {a: b}\n"));

    ManifestProblem problem = onlyProblem(load());

    assertThat(problem.name()).isNull();
    assertThat(problem.message()).isEqualTo("noname.yaml: metadata.name is required");
  }

  @Test
  void reportsNameThatIsNotADnsLabel() throws IOException {
    write("badname.yaml", release("../etc", "main"));

    ManifestProblem problem = onlyProblem(load());

    assertThat(problem.name()).isNull();
    assertThat(problem.message()).contains("metadata.name '../etc' is not allowed", "lowercase");
  }

  @Test
  void reportsMissingSpec() throws IOException {
    write("nospec.yaml", HEADER + "metadata: {name: web}\n");

    ManifestProblem problem = onlyProblem(load());

    assertThat(problem.name()).isEqualTo("web");
    assertThat(problem.message()).startsWith("nospec.yaml: spec is required");
  }

  @Test
  void reportsEachMissingSourceField() throws IOException {
    write("nosource.yaml", HEADER + "metadata: {name: a}\nspec: {suspend: true}\n");
    write("noref.yaml", HEADER + "metadata: {name: b}\nspec: {source: {url: /srv/b.git}}\n");
    write("nourl.yaml", HEADER + "metadata: {name: c}\nspec: {source: {ref: \"\"}}\n");

    ManifestSet set = load();

    assertThat(set.releases()).isEmpty();
    assertThat(set.problems())
        .extracting(ManifestProblem::name, ManifestProblem::message)
        .containsExactly(
            tuple("b", "noref.yaml: spec.source.ref is required"),
            tuple("a", "nosource.yaml: spec.source is required; it needs url and ref"),
            tuple("c", "nourl.yaml: spec.source.url is required"),
            tuple("c", "nourl.yaml: spec.source.ref is required"));
  }

  @Test
  void reportsUnknownSpecFieldWithTheFieldsThatExist() throws IOException {
    write(
        "typo.yaml",
        HEADER + "metadata: {name: web}\nspec:\n  sourec: {url: /srv/x.git, ref: main}\n");

    ManifestProblem problem = onlyProblem(load());

    assertThat(problem.name()).isEqualTo("web");
    assertThat(problem.message())
        .isEqualTo(
            "typo.yaml: spec.sourec is not a known field;"
                + " spec allows backup, compose, deletionPolicy, health, notify, rollback, source, suspend");
  }

  @Test
  void reportsUnknownNestedFieldWithItsPath() throws IOException {
    write(
        "typo.yaml",
        release("web", "main")
            + "  health:\n    checks:\n    - {name: up, type: serviceHealth, servise: [x]}\n");

    assertThat(onlyProblem(load()).message())
        .startsWith("typo.yaml: spec.health.checks[0].servise is not a known field;")
        .contains("services");
  }

  @Test
  void reportsWrongEnumValueWithTheAllowedValues() throws IOException {
    write(
        "enum.yaml",
        release("web", "main") + "  health:\n    checks:\n    - {name: up, type: foo}\n");

    ManifestProblem problem = onlyProblem(load());

    assertThat(problem.name()).isEqualTo("web");
    assertThat(problem.message())
        .isEqualTo(
            "enum.yaml: spec.health.checks[0].type: 'foo' is not allowed; use one of:"
                + " serviceHealth, http, responseTime, errorRate, exec, prometheus");
  }

  @Test
  void reportsMissingCheckFields() throws IOException {
    write("check.yaml", release("web", "main") + "  health:\n    checks:\n    - {services: [x]}\n");

    assertThat(load().problems())
        .extracting(ManifestProblem::message)
        .containsExactly(
            "check.yaml: spec.health.checks[0].name is required",
            "check.yaml: spec.health.checks[0].type is required;"
                + " use one of: serviceHealth, http, responseTime, errorRate, exec, prometheus");
  }

  @Test
  void refusesRefsThatYamlWouldTurnIntoNumbers() throws IOException {
    // Unquoted 0123 is octal 83 in YAML; deploying "83" would be a silent, wrong deploy.
    write("octal.yaml", release("web", "0123"));

    assertThat(onlyProblem(load()).message())
        .isEqualTo(
            "octal.yaml: spec.source.ref must be a string, but YAML read the unquoted value as 83;"
                + " put the value in quotes");
  }

  @Test
  void reportsWrongTypes() throws IOException {
    write("type.yaml", release("web", "main") + "  suspend: sometimes\n  compose: {files: x}\n");

    assertThat(onlyProblem(load()).message())
        .isEqualTo("type.yaml: spec.suspend must be true or false");
  }

  @Test
  void reportsUnknownTopLevelField() throws IOException {
    write("top.yaml", release("web", "main") + "sepc: {}\n");

    assertThat(onlyProblem(load()).message()).startsWith("top.yaml: sepc is not a known field");
  }

  @Test
  void acceptsStatusFromExportedManifests() throws IOException {
    write("exported.yaml", release("web", "main") + "status: {phase: Healthy}\n");

    assertThat(load().problems()).isEmpty();
  }

  @Test
  void reportsSecondDefinitionOfANameAndKeepsTheFirst() throws IOException {
    write("a.yaml", release("web", "main"));
    write("b.yaml", release("other", "main") + "---\n" + release("web", "develop"));

    ManifestSet set = load();

    ManifestProblem problem = onlyProblem(set);
    assertThat(problem.file()).isEqualTo(dir.resolve("b.yaml"));
    assertThat(problem.name()).isNull();
    assertThat(problem.message())
        .isEqualTo(
            "b.yaml, document 2 (line 10): metadata.name 'web' is already defined in a.yaml;"
                + " rename or remove one of them");
    assertThat(set.releases())
        .extracting(r -> r.getMetadata().getName() + "@" + r.getSpec().getSource().getRef())
        .containsExactly("web@main", "other@main");
  }

  @Test
  void ignoresHiddenTempAndOtherFiles() throws IOException {
    String broken = "this: is: not yaml\n";
    write(".hidden.yaml", broken);
    write(".#lock.yaml", broken);
    write("backup.yaml~", broken);
    write(".web.yaml.swp", broken);
    write("web.yaml.swp", broken);
    write("notes.txt", broken);
    Files.createDirectory(dir.resolve("sub.yaml"));
    write("web.yaml", release("web", "main"));

    ManifestSet set = load();

    assertThat(set.problems()).isEmpty();
    assertThat(set.releases()).hasSize(1);
  }

  @Test
  void failsOnlyWhenTheDirectoryIsMissing() {
    assertThatThrownBy(() -> new ManifestLoader(dir.resolve("missing")).load())
        .isInstanceOf(IOException.class);
  }
}
