package dev.backstop.operator.cli;

import dev.backstop.operator.core.TestSettings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a state directory holding statuses the real decider produced. */
class CliTest {

  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void rolledBackRelease() throws Exception {
    // v1 healthy, v2 broken and rolled back: produced by the decider, not written by hand.
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    spec.setSource(source);
    spec.setHealth(new HealthSpec());
    ReleaseDecider decider = new ReleaseDecider();
    Instant t = Instant.parse("2026-11-26T10:00:00Z");
    StagingReleaseStatus s = null;
    String[][] steps = {
      {"v1", "1111111111111111111111111111111111111111", "PASS"},
      {"v1", "1111111111111111111111111111111111111111", "PASS"},
      {"v2", "2222222222222222222222222222222222222222", "PASS"},
      {"v2", "2222222222222222222222222222222222222222", "FAIL"},
      {"v2", "2222222222222222222222222222222222222222", "PASS"},
    };
    long generation = 0;
    for (String[] step : steps) {
      if (!step[0].equals(source.getRef())) {
        source.setRef(step[0]);
        generation++;
      }
      Observation obs = new Observation(generation, SourceState.resolved(step[1], false), List.of(),
          List.of(new CheckResult("services", Outcome.valueOf(step[2]), "1/1", step[2], List.of("web"))), null, Map.of());
      Decision d = decider.decide(TestSettings.of("shop", spec), s, obs, t);
      s = d.status();
      if (d.action() instanceof Action.Apply apply) {
        s = decider.complete(TestSettings.of("shop", spec), s, apply, ApplyOutcome.success(), obs, t.plusMillis(400)).status();
      }
      t = t.plusSeconds(2);
    }
    new StatusStore(state).write("shop", s);
  }

  private int run(String... args) {
    var cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void statusPrintsATableLikeKubectlGet() {
    assertThat(run("status", "--state", state.toString())).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).startsWith("NAME").contains("DESIRED", "CURRENT", "LAST-GOOD", "PHASE", "READY");
    assertThat(lines[1]).contains("shop", "v2@2222222", "v1@1111111", "RolledBack", "False", "RolledBack");
  }

  @Test
  void statusAsJsonIsTheStatus() throws Exception {
    assertThat(run("status", "shop", "-o", "json", "--state", state.toString())).isZero();
    StagingReleaseStatus s = new ObjectMapper().readValue(out.toString(), StagingReleaseStatus.class);
    assertThat(s.getQuarantined()).extracting(q -> q.getRef()).containsExactly("v2");
    assertThat(s.getCurrent().getRef()).isEqualTo("v1");
  }

  @Test
  void historyShowsTheRollbackReport() {
    assertThat(run("history", "shop", "--state", state.toString())).isZero();
    assertThat(out.toString())
        .contains("Rollback", "VerificationFailed", "Deploy", "Failed", "Succeeded")
        .contains("Last rollback: VerificationFailed, Succeeded")
        .contains("services affected: web")
        .contains("tripped checks:    services");
  }

  @Test
  void waitReturnsAtOnceWhenTheGoalHoldsAndTimesOutOtherwise() {
    assertThat(run("wait", "shop", "--for", "phase=RolledBack", "--state", state.toString())).isZero();
    assertThat(run("wait", "shop", "--for", "condition=Ready=False", "--state", state.toString())).isZero();
    assertThat(run("wait", "shop", "--for", "current=v1", "--state", state.toString())).isZero();
    assertThat(run("wait", "shop", "--for", "phase=Healthy", "--timeout", "300ms", "--state", state.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("timed out after 300ms", "phase is RolledBack");
  }

  @Test
  void rollbackRecordsOneRequestPerCall() {
    assertThat(run("rollback", "shop", "--no-wait", "--state", state.toString())).isZero();
    String first = new RequestStore(new StatusStore(state)).read("shop").get("backstop.dev/rollback");
    assertThat(first).isNotBlank();
    assertThat(out.toString()).contains("rollback requested for shop");
  }

  @Test
  void rollbackOfServicesRecordsTheServicesBeforeTheUniquePart() {
    assertThat(run("rollback", "shop", "--service", "api,web", "--no-wait", "--state", state.toString())).isZero();
    String value = new RequestStore(new StatusStore(state)).read("shop").get("backstop.dev/rollback-services");
    assertThat(value).startsWith("api,web;");
    assertThat(dev.backstop.operator.core.ServiceRollbacks.requested("|" + value, null)).containsExactly("api", "web");
    assertThat(out.toString()).contains("rollback-services requested for shop");

    assertThat(run("rollback", "shop", "--service", "api", "--emergency", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--service and --emergency cannot be combined").doesNotContain("Exception");
  }

  @Test
  void badInputIsASentenceNotAStackTrace() throws Exception {
    assertThat(run("status", "nope", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: no release named nope").doesNotContain("Exception", "\tat ");
    assertThat(run("wait", "shop", "--for", "colour=blue", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("use phase=, condition= or current=");
    // A missing directory is created (FirstRunIT); a file in its place is an error.
    java.nio.file.Files.writeString(state.resolve("a-file"), "x");
    assertThat(run("run", "--manifests", state.resolve("a-file").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("is a file; name a directory of StagingRelease YAML files");
  }
}
