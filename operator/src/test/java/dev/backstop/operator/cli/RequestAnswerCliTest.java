package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.Decision;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.ReleaseDecider;
import dev.backstop.operator.core.SourceState;
import dev.backstop.operator.core.TestSettings;
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request commands wait for the daemon's answer: here the daemon's part is the real decider run on
 * the request the CLI recorded, the way local/ReleaseWorker hands it over, and its status written to
 * the state directory the CLI reads.
 */
class RequestAnswerCliTest {

  private static final String V1 = "1111111111111111111111111111111111111111";
  private static final String V2 = "2222222222222222222222222222222222222222";

  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final StagingReleaseSpec spec = new StagingReleaseSpec();
  private final ReleaseDecider decider = new ReleaseDecider();
  private final ExecutorService daemon = Executors.newSingleThreadExecutor();
  private StagingReleaseStatus status;
  private Instant t = Instant.parse("2026-11-26T10:00:00Z");
  private long generation;

  @BeforeEach
  void healthyOnV1() throws Exception {
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    spec.setSource(source);
    spec.setHealth(new HealthSpec());
    deploy("v1", V1);
  }

  @AfterEach
  void stop() {
    daemon.shutdownNow();
  }

  private void deploy(String ref, String commit) throws Exception {
    spec.getSource().setRef(ref);
    generation++;
    reconcile(commit);
    reconcile(commit);
    new StatusStore(state).write("shop", status);
  }

  private void reconcile(String commit) {
    var requests = new RequestStore(new StatusStore(state)).read("shop");
    Observation obs = new Observation(generation, SourceState.resolved(commit, false), List.of(),
        List.of(new CheckResult("services", Outcome.PASS, "1/1", "PASS", List.of())), null, requests);
    Decision d = decider.decide(TestSettings.of("shop", spec), status, obs, t);
    status = d.status();
    if (d.action() instanceof Action.Apply apply) {
      status = decider.complete(TestSettings.of("shop", spec), status, apply, ApplyOutcome.success(), obs,
          t.plusMillis(400)).status();
    }
    t = t.plusSeconds(2);
  }

  /** Answers the next request the CLI records, as the daemon would once nudged. */
  private Future<?> answerOnce(String commit, String key) {
    return daemon.submit(() -> {
      RequestStore requests = new RequestStore(new StatusStore(state));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
          .pollInterval(java.time.Duration.ofMillis(50)).until(() -> requests.read("shop").get(key) != null);
      reconcile(commit);
      new StatusStore(state).write("shop", status);
      return null;
    });
  }

  private int run(String... args) {
    var cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void anEmergencyRollbackWithNowhereToGoFailsWithTheDaemonsReason() throws Exception {
    Future<?> answered = answerOnce(V1, "backstop.dev/emergency-rollback");
    int exit = run("rollback", "shop", "--emergency", "--wait", "20s", "--state", state.toString());
    answered.get(20, TimeUnit.SECONDS);
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("error: emergency-rollback refused: no earlier healthy commit to roll back to");
    assertThat(out.toString()).doesNotContain("Exception");
  }

  @Test
  void aRollbackThatCanBeCarriedOutSaysWhereItGoes() throws Exception {
    deploy("v2", V2);
    Future<?> answered = answerOnce(V2, "backstop.dev/rollback");
    int exit = run("rollback", "shop", "--wait", "20s", "--state", state.toString());
    answered.get(20, TimeUnit.SECONDS);
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("rolling back to v1 (1111111)");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aRetryWithNothingToRetryIsNotAnError() throws Exception {
    Future<?> answered = answerOnce(V1, "backstop.dev/retry");
    int exit = run("retry", "shop", "--wait", "20s", "--state", state.toString());
    answered.get(20, TimeUnit.SECONDS);
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("deploying v1 (1111111) again");
  }

  @Test
  void noDaemonMeansNoAnswerWithinTheWaitAndTheRequestStaysRecorded() {
    assertThat(run("rollback", "shop", "--wait", "1s", "--state", state.toString())).isZero();
    assertThat(out.toString()).contains("no answer from the daemon within 1s");
    assertThat(new RequestStore(new StatusStore(state)).read("shop")).containsKey("backstop.dev/rollback");
  }
}
