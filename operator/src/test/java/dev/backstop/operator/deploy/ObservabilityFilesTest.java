package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * examples/observability: the alert rules pass promtool's checks and unit tests, and the chart's
 * PrometheusRule renders exactly the same groups (its copy of the file cannot drift).
 */
class ObservabilityFilesTest {

  static final Path DIR = Path.of("../examples/observability");
  static final Path RULES = DIR.resolve("backstop-alerts.yml");
  static final Path CHART_RULES = HelmChartTest.CHART.resolve("files/backstop-alerts.yml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void alertRulesPassPromtoolCheckRules() throws Exception {
    assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS: 6 rules found");
  }

  @Test
  void alertRulesPassTheirPromtoolUnitTests() throws Exception {
    assertThat(promtool("test", "rules", DIR.resolve("backstop-alerts.test.yml").toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestThatFiresIt() throws Exception {
    List<String> alerts = new ArrayList<>();
    YAML.readTree(RULES.toFile()).path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText())));
    List<String> firing = new ArrayList<>();
    YAML.readTree(DIR.resolve("backstop-alerts.test.yml").toFile()).path("tests").forEach(t ->
        t.path("alert_rule_test").forEach(a -> {
          if (!a.path("exp_alerts").isEmpty()) {
            firing.add(a.path("alertname").asText());
          }
        }));
    assertThat(alerts).hasSize(6).allSatisfy(a -> assertThat(firing).as("tests that fire " + a).contains(a));
  }

  @Test
  void theChartsPrometheusRuleRendersTheSameGroups() throws Exception {
    assertThat(Files.readString(CHART_RULES)).as("helm/backstop/files/backstop-alerts.yml is a copy of " + RULES)
        .isEqualTo(Files.readString(RULES));
    List<GenericKubernetesResource> off = ChartRbac.render(new Helm(HelmChartTest.CHART).template()
        .withName("backstop").withNamespace("backstop-system").call());
    assertThat(off).noneMatch(d -> d.getKind().equals("PrometheusRule"));

    List<GenericKubernetesResource> on = ChartRbac.render(new Helm(HelmChartTest.CHART).template()
        .withName("backstop").withNamespace("backstop-system")
        .set("prometheusRule.enabled", "true").set("prometheusRule.labels.release", "kube-prometheus").call());
    GenericKubernetesResource rule = ChartRbac.find(on, "PrometheusRule", "backstop");
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo("backstop-system");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus")
        .containsEntry("app.kubernetes.io/name", "backstop");
    JsonNode rendered = YAML.valueToTree(rule.getAdditionalProperties().get("spec"));
    assertThat(rendered).isEqualTo(YAML.readTree(RULES.toFile()));
  }

  static String promtool(String... args) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool).as("promtool comes with Debian's prometheus package (scripts/install-deps.sh)").exists();
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
