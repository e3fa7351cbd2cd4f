package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifyRulesTest {

  private static List<String> problems(String yaml) {
    List<String> problems = new ArrayList<>();
    NotifyRules.check(problems, Serialization.unmarshal(yaml, StagingReleaseSpec.class));
    return problems;
  }

  @Test
  void badWebhooksAndRetentionAreNamedByFieldPathWithoutQuotingTheUrl() {
    assertThat(problems("""
        rollback: {reportsToKeep: 0}
        notify:
          webhooks:
          - url: ftp://hooks.example/T0KEN
          - url: "https://"
          - {format: slack}
        """)).containsExactly(
        "spec.rollback.reportsToKeep is 0; use 1 to 100",
        "spec.notify.webhooks[0].url must start with http:// or https://",
        "spec.notify.webhooks[1].url is not a URL (Expected authority)",
        "spec.notify.webhooks[2].url is required");
  }

  @Test
  void aGoodSpecHasNoProblemAndTheDefaultIsTen() {
    StagingReleaseSpec spec = Serialization.unmarshal("""
        notify:
          webhooks:
          - url: https://hooks.slack.example/services/T/B/x
            format: slack
            events: [RollbackStarted, RollbackSucceeded]
            secretRef: {name: hook}
        """, StagingReleaseSpec.class);
    List<String> problems = new ArrayList<>();
    NotifyRules.check(problems, spec);
    assertThat(problems).isEmpty();
    assertThat(NotifyRules.reportsToKeep(spec)).isEqualTo(10);
  }
}
