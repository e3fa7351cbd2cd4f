package dev.backstop.operator.core;

import static dev.backstop.operator.core.ReleaseHarness.V1;
import static dev.backstop.operator.core.ReleaseHarness.V2;
import static dev.backstop.operator.core.ReleaseHarness.V3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.CheckResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The manual controls of the runbook: rollback to a chosen commit, the last-known-good rule,
 * emergency rollback without the remote, suspend, and the pre-deploy tag.
 */
class RollbackControlsTest {

  private ReleaseHarness h;

  @BeforeEach
  void setUp() {
    h = new ReleaseHarness();
  }

  /** v1, v2, v3 each deployed and verified; v3 runs. */
  private void threeHealthyDeploys() {
    h.settle();
    h.advance(Duration.ofSeconds(10)).ref("v2").settle();
    h.advance(Duration.ofSeconds(10)).ref("v3").settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V3);
  }

  private void requestRollback(String to) {
    h.requests.put(StagingRelease.ROLLBACK_ANNOTATION, "r-" + h.now);
    if (to == null) {
      h.requests.remove(StagingRelease.ROLLBACK_TO_ANNOTATION);
    } else {
      h.requests.put(StagingRelease.ROLLBACK_TO_ANNOTATION, to);
    }
    h.advance(Duration.ofSeconds(1)).reconcile();
  }

  /** The deploy in flight (or next) fails its checks; the rollback it starts passes them. */
  private void failUntilRolledBack() {
    h.checks(Outcome.FAIL, "web");
    for (int i = 0; i < 20 && !(h.status.getOperation() != null
        && h.status.getOperation().getKind() == ActionKind.Rollback); i++) {
      h.advance(Duration.ofSeconds(1)).reconcile();
    }
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
  }

  /** Every recorded status: lastKnownGood is never a quarantined commit. */
  private void assertLastKnownGoodNeverQuarantined() {
    for (StagingReleaseStatus s : h.recorded) {
      if (s.getLastKnownGood() != null) {
        assertThat(s.getQuarantined()).extracting(q -> q.getCommit())
            .as("lastKnownGood at %s", s.getPhase()).doesNotContain(s.getLastKnownGood().getCommit());
      }
    }
  }

  @Test
  void aManualRollbackMakesItsTargetLastKnownGoodNotTheCommitRolledAwayFrom() {
    threeHealthyDeploys();
    requestRollback(null);
    assertThat(h.status.getLastRequest().getMessage()).isEqualTo("rolling back to v2 (2222222)");
    assertThat(h.status.getLastKnownGood().getCommit()).as("at once, not only once verified").isEqualTo(V2);
    h.settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
    assertThat(h.status.getQuarantined()).extracting(q -> q.getCommit()).containsExactly(V3);
    assertLastKnownGoodNeverQuarantined();
  }

  @Test
  void rollbackToAnOlderHealthyCommitByRefGoesThereAndBecomesLastKnownGood() {
    threeHealthyDeploys();
    requestRollback("v1");
    assertThat(h.status.getLastRequest().getAccepted()).isTrue();
    assertThat(h.status.getLastRequest().getMessage()).isEqualTo("rolling back to v1 (1111111)");
    assertThat(h.status.getOperation().getTarget().getCommit()).isEqualTo(V1);
    h.settle();
    assertThat(h.applied).containsExactly(V1, V2, V3, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastRollback().getTo().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastRollback().getFrom().getCommit()).isEqualTo(V3);
    assertLastKnownGoodNeverQuarantined();
    // Nothing moves by itself afterwards: v3 is quarantined, v1 keeps running.
    h.advance(Duration.ofSeconds(30)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V3, V1);
  }

  @Test
  void rollbackToAnAbbreviatedOrFullCommitWorksToo() {
    threeHealthyDeploys();
    requestRollback("1111111");
    assertThat(h.status.getOperation().getTarget().getCommit()).isEqualTo(V1);

    ReleaseHarness full = new ReleaseHarness();
    h = full;
    threeHealthyDeploys();
    requestRollback(V2.toUpperCase());
    assertThat(h.status.getOperation().getTarget().getCommit()).isEqualTo(V2);
  }

  @Test
  void rollbackToACommitThatNeverPassedVerificationIsRefusedWithTheEligibleOnes() {
    threeHealthyDeploys();
    requestRollback("v9");
    var answer = h.status.getLastRequest();
    assertThat(answer.getAccepted()).isFalse();
    assertThat(answer.getMessage()).isEqualTo("cannot roll back to v9: it names no commit that passed verification"
        + " in this release; eligible: v2 (2222222), v1 (1111111)");
    assertThat(h.status.getHistory().get(0).getResult()).isEqualTo(Result.Refused);
    assertThat(h.applied).containsExactly(V1, V2, V3);
    assertThat(h.status.getQuarantined()).isEmpty();
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.RequestRefused).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("eligible: v2 (2222222), v1 (1111111)"));
  }

  @Test
  void rollbackToTheRunningOrAQuarantinedCommitIsRefusedSayingWhich() {
    threeHealthyDeploys();
    requestRollback("v3");
    assertThat(h.status.getLastRequest().getMessage())
        .isEqualTo("cannot roll back to v3: v3 (3333333) is what runs now; eligible: v2 (2222222), v1 (1111111)");

    h.advance(Duration.ofSeconds(5));
    requestRollback("v2");
    h.settle();
    requestRollback("v3");
    assertThat(h.status.getLastRequest().getAccepted()).isFalse();
    assertThat(h.status.getLastRequest().getMessage())
        .startsWith("cannot roll back to v3: v3 (3333333) is quarantined (rollback requested)")
        .endsWith("; eligible: v1 (1111111)");
    assertThat(h.applied).containsExactly(V1, V2, V3, V2);
  }

  @Test
  void aNeverDeployedCommitThatFailedVerificationIsNotEligible() {
    h.settle();
    h.ref("v2");
    failUntilRolledBack();
    requestRollback("v2");
    assertThat(h.status.getLastRequest().getMessage())
        .startsWith("cannot roll back to v2: it names no commit that passed verification")
        .endsWith("no commit is eligible (none other than the running one passed verification, or every one is"
            + " quarantined)");
  }

  @Test
  void anAutomaticRollbackOfAHealthyReleaseMovesLastKnownGoodOffTheTrippedCommit() {
    h.settle();
    h.advance(Duration.ofSeconds(10)).ref("v2").settle();
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V2);
    h.checks(Outcome.FAIL, "web").advance(Duration.ofSeconds(5)).reconcile();
    assertThat(h.status.getOperation().getKind()).isEqualTo(ActionKind.Rollback);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    h.checks(Outcome.PASS).settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertLastKnownGoodNeverQuarantined();
  }

  @Test
  void anEmergencyRollbackWorksWithTheRemoteGoneAndTakesNoBackup() {
    BackupSpec backup = new BackupSpec();
    backup.setService("db");
    backup.setCommand("dump");
    backup.setRestoreCommand("restore");
    backup.setRestoreOnRollback(true);
    backup.setBeforeRollback(true);
    h.spec.setBackup(backup);
    h.settle();
    h.advance(Duration.ofSeconds(10)).ref("v2").settle();
    int backups = h.backedUp.size();
    h.sourceError = new Observation.Problem(Reason.SourceUnavailable, "cannot fetch file:///repo: not found");
    h.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "e1");
    Decision d = h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(d.action()).isInstanceOfSatisfying(Action.Apply.class, a -> {
      assertThat(a.kind()).isEqualTo(ActionKind.EmergencyRollback);
      assertThat(a.downFirst()).isTrue();
      assertThat(a.target().getCommit()).isEqualTo(V1);
    });
    assertThat(h.status.getOperation()).as("no verification gate").isNull();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getLastRollback().getManualVerificationRequired()).isTrue();
    assertThat(h.status.getLastRollback().getResult()).isEqualTo(Result.Succeeded);
    assertThat(h.status.getLastKnownGood().getCommit()).isEqualTo(V1);
    assertThat(h.backedUp).hasSize(backups);
    assertThat(h.restored).isEmpty();
    h.advance(Duration.ofSeconds(10)).reconcile();
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertLastKnownGoodNeverQuarantined();
  }

  @Test
  void suspendHoldsABrokenCommitUndeployedAndABrokenStackNotRolledBack() {
    h.settle();
    h.spec.setSuspend(true);
    h.generation++;
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Suspended);

    // A new (broken) ref is seen and reported, not deployed.
    h.ref("v2").checks(Outcome.FAIL, "web");
    for (int i = 0; i < 5; i++) {
      h.advance(Duration.ofSeconds(10)).reconcile();
    }
    assertThat(h.applied).containsExactly(V1);
    assertThat(h.status.getDesired().getCommit()).isEqualTo(V2);
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V1);
    assertThat(h.status.getChecks()).singleElement().satisfies(c -> assertThat(c.getPassing()).isFalse());
    assertThat(h.status.getOperation()).isNull();
    assertThat(h.status.getQuarantined()).isEmpty();

    // Requests are answered, not kept for later.
    requestRollback(null);
    assertThat(h.status.getLastRequest().getAccepted()).isFalse();
    assertThat(h.status.getLastRequest().getMessage()).contains("suspended");
    h.requests.put(StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION, "e");
    h.advance(Duration.ofSeconds(1)).reconcile();
    assertThat(h.status.getLastRequest().getMessage()).contains("suspended");
    assertThat(h.applied).containsExactly(V1);

    // Resumed: the held commit is deployed, fails, and is rolled back; the refused requests stay refused.
    h.spec.setSuspend(false);
    h.generation++;
    failUntilRolledBack();
    assertThat(h.applied).containsExactly(V1, V2, V1);
    assertThat(h.status.getPhase()).isEqualTo(Phase.RolledBack);
  }

  @Test
  void suspendDuringAFailingVerificationNeitherFailsNorRollsItBack() {
    h.settle();
    h.ref("v2").checks(Outcome.PENDING).reconcile();
    assertThat(h.status.getPhase()).isEqualTo(Phase.Verifying);
    h.spec.setSuspend(true);
    h.generation++;
    h.checks(Outcome.FAIL, "web");
    for (int i = 0; i < 10; i++) {
      h.advance(Duration.ofSeconds(10)).reconcile();
    }
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Suspended);
    assertThat(h.status.getQuarantined()).isEmpty();
  }

  @Test
  void tagBeforeDeployTagsTheRunningCommitForEachDeployButNotTheFirst() {
    h.spec.getSource().setTagBeforeDeploy(true);
    h.settle();
    assertThat(h.tags).as("nothing ran before the first deploy").isEmpty();
    h.advance(Duration.ofSeconds(10)).ref("v2").reconcile();
    assertThat(h.status.getOperation().getStartTime()).startsWith("2026-11-26T10:00:11");
    assertThat(h.tags).containsExactly("pre-deploy-20261126-100011 " + V1);
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.PreDeployTagged).singleElement()
        .satisfies(e -> {
          assertThat(e.type()).isEqualTo(ReleaseEvent.Type.Normal);
          assertThat(e.message()).isEqualTo("tagged pre-deploy-20261126-100011 on 1111111 and pushed it");
        });
    h.settle();
    assertThat(h.status.getCurrent().getCommit()).isEqualTo(V2);
    // A rollback is no deploy: no tag.
    requestRollback(null);
    h.settle();
    assertThat(h.tags).hasSize(1);
  }

  @Test
  void aFailedPushIsAWarningAndTheDeployGoesOn() {
    h.spec.getSource().setTagBeforeDeploy(true);
    h.settle();
    h.nextTag = TagOutcome.pushFailed(true, "not authorized");
    h.advance(Duration.ofSeconds(10)).ref("v2").settle();
    assertThat(h.applied).containsExactly(V1, V2);
    assertThat(h.status.getPhase()).isEqualTo(Phase.Healthy);
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.PreDeployTagFailed).singleElement()
        .satisfies(e -> {
          assertThat(e.type()).isEqualTo(ReleaseEvent.Type.Warning);
          assertThat(e.message()).contains("pushing it failed (not authorized)", "the deploy goes on");
        });

    h.nextTag = TagOutcome.failed("the cache is gone");
    h.advance(Duration.ofSeconds(10)).ref("v3").settle();
    assertThat(h.applied).containsExactly(V1, V2, V3);
    assertThat(h.events).filteredOn(e -> e.reason() == ReleaseEvent.Kind.PreDeployTagFailed)
        .extracting(ReleaseEvent::message).last().asString().contains("cannot tag", "the cache is gone");
  }

  @Test
  void aResumedApplyFindsItsTagAndSaysNothingAgain() {
    PreDeployTag.Tag tag = new PreDeployTag.Tag(V1, "pre-deploy-20261126-100011");
    assertThat(PreDeployTag.events(tag, TagOutcome.pushed(false))).isEmpty();
    assertThat(PreDeployTag.events(tag, TagOutcome.pushFailed(false, "x"))).isEmpty();
    assertThat(PreDeployTag.events(tag, TagOutcome.failed("x"))).extracting(ReleaseEvent::type)
        .isEqualTo(List.of(ReleaseEvent.Type.Warning));
  }
}
