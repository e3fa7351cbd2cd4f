package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Trigger;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stack variables are a deploy input: a new fingerprint re-applies the running commit once, the
 * history names the keys, and nothing of a value reaches the status or an event.
 */
class EnvChangeDeciderTest {

  private static final String SECRET = "s3cr3t-value-one";
  private static final String ROTATED = "r0tated-value-two";

  @Test
  void aChangedValueReappliesTheRunningCommitOnceAndHistoryNamesTheKey() {
    ReleaseHarness h = new ReleaseHarness();
    h.env = StackEnv.of(Map.of("DB_PASSWORD", SECRET));
    h.settle();
    assertThat(h.applied).containsExactly(ReleaseHarness.V1);
    assertThat(h.status.getAppliedEnv().getKeys()).containsExactly("DB_PASSWORD");
    assertThat(h.status.getAppliedEnv().getFingerprint()).isEqualTo(h.env.fingerprint()).hasSize(64);

    // Nothing changed: reconciles stay quiet.
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).hasSize(1);

    h.env = StackEnv.of(Map.of("DB_PASSWORD", ROTATED));
    h.advance(Duration.ofSeconds(10)).settle();
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).containsExactly(ReleaseHarness.V1, ReleaseHarness.V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    HistoryEntry latest = h.status.getHistory().get(0);
    assertThat(latest.getAction()).isEqualTo(ActionKind.Deploy);
    assertThat(latest.getTrigger()).isEqualTo(Trigger.EnvChange);
    assertThat(latest.getResult()).isEqualTo(Result.Succeeded);
    assertThat(latest.getReason()).contains("changed DB_PASSWORD");
    assertThat(h.status.getAppliedEnv().getFingerprint()).isEqualTo(h.env.fingerprint());

    String everything = Serialization.asJson(h.recorded) + h.events;
    assertThat(everything).doesNotContain(SECRET).doesNotContain(ROTATED);
  }

  @Test
  void addedAndRemovedKeysAreNamedAndAReleaseWithoutVariablesNeverReapplies() {
    ReleaseHarness h = new ReleaseHarness();
    h.settle();
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).hasSize(1);
    assertThat(h.status.getAppliedEnv()).isNull();

    h.env = StackEnv.of(Map.of("API_KEY", "k-123456"));
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.status.getHistory().get(0).getReason()).contains("added API_KEY");

    h.env = StackEnv.of(Map.of("TOKEN", "t-123456"));
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.status.getHistory().get(0).getReason()).contains("added TOKEN").contains("removed API_KEY");

    h.env = StackEnv.NONE;
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.status.getHistory().get(0).getReason()).contains("removed TOKEN");
    assertThat(h.status.getAppliedEnv()).isNull();
    assertThat(h.applied).hasSize(4);
  }

  @Test
  void aNewCommitAndNewVariablesTogetherAreOneDeploy() {
    ReleaseHarness h = new ReleaseHarness();
    h.env = StackEnv.of(Map.of("A", "one-value"));
    h.settle();
    h.env = StackEnv.of(Map.of("A", "two-value"));
    h.ref("v2").advance(Duration.ofSeconds(10)).settle();
    h.advance(Duration.ofSeconds(10)).settle();
    assertThat(h.applied).containsExactly(ReleaseHarness.V1, ReleaseHarness.V2);
    assertThat(h.status.getHistory().get(0).getTrigger()).isEqualTo(Trigger.SpecChange);
  }

  @Test
  void theFingerprintDependsOnNamesAndValuesAndToStringNamesKeysOnly() {
    StackEnv a = StackEnv.of(Map.of("A", "xy", "B", "z"));
    assertThat(a.fingerprint()).isNotEqualTo(StackEnv.of(Map.of("A", "x", "B", "yz")).fingerprint());
    assertThat(a.fingerprint()).isNotEqualTo(StackEnv.of(Map.of("A", "xy=B", "B", "z")).fingerprint());
    assertThat(a.fingerprint()).isEqualTo(StackEnv.of(Map.of("B", "z", "A", "xy")).fingerprint());
    assertThat(StackEnv.of(Map.of("PASSWORD", SECRET)).toString()).isEqualTo("StackEnv[PASSWORD]");
  }
}
