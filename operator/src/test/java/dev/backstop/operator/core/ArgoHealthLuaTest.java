package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.argocd.ArgoHealthScript;
import dev.backstop.operator.argocd.ArgoHealthScript.Health;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * examples/argocd/health-stagingrelease.lua against statuses the core really produces (the
 * operator IT runs it against the mock server's copies too).
 */
class ArgoHealthLuaTest {

  private final ReleaseHarness h = new ReleaseHarness();

  @Test
  void followsTheStoryHealthyProgressingDegradedAndHealthyAgain() throws Exception {
    assertThat(health(null).status()).isEqualTo("Progressing");

    h.checks(Outcome.PENDING).reconcile();
    Health verifying = health(h.status);
    assertThat(verifying.status()).isEqualTo("Progressing");
    assertThat(verifying.message()).startsWith("Progressing");

    h.checks(Outcome.PASS).settle();
    assertThat(health(h.status).status()).isEqualTo("Healthy");

    h.ref("v2").reconcile();
    assertThat(health(h.status).status()).isEqualTo("Progressing");
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(1)).reconcile();
    h.checks(Outcome.PASS).settle();
    Health rolledBack = health(h.status);
    assertThat(rolledBack.status()).isEqualTo("Degraded");
    assertThat(rolledBack.message()).startsWith("CommitQuarantined: ").contains("2222222");

    h.ref("v3").settle();
    assertThat(health(h.status).status()).isEqualTo("Healthy");
  }

  @Test
  void aNewerGenerationThanObservedIsProgressingAndSuspendIsSuspended() throws Exception {
    h.settle();
    StagingRelease r = release(h.status);
    r.getMetadata().setGeneration(h.generation + 1);
    assertThat(ArgoHealthScript.evaluate(r).status()).isEqualTo("Progressing");

    h.spec.setSuspend(true);
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(health(h.status).status()).isEqualTo("Suspended");
  }

  @Test
  void aStalledReleaseIsDegradedWithItsReason() throws Exception {
    h.ref("nope").reconcile();
    Health health = health(h.status);
    assertThat(health.status()).isEqualTo("Degraded");
    assertThat(health.message()).startsWith("RefNotFound: ");
  }

  private Health health(StagingReleaseStatus status) throws Exception {
    return ArgoHealthScript.evaluate(release(status));
  }

  private StagingRelease release(StagingReleaseStatus status) {
    StagingRelease r = new StagingRelease();
    r.getMetadata().setName("demo");
    r.getMetadata().setGeneration(h.generation);
    r.setSpec(h.spec);
    r.setStatus(status);
    return r;
  }
}
