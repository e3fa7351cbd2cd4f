package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `rollback --to` and `suspend` / `resume` in local mode: what they write for the daemon, and refusals. */
class RollbackControlsCliTest {

  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void release() throws Exception {
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(Phase.Healthy);
    new StatusStore(state).write("shop", s);
  }

  private int run(String... args) {
    var cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  private Map<String, String> requests() {
    return new RequestStore(new StatusStore(state)).read("shop");
  }

  @Test
  void rollbackToWritesTheTargetWithTheRequestAndAPlainRollbackClearsIt() {
    assertThat(run("rollback", "shop", "--to", "v1", "--no-wait", "--state", state.toString())).isZero();
    assertThat(requests()).containsEntry(StagingRelease.ROLLBACK_TO_ANNOTATION, "v1")
        .containsKey(StagingRelease.ROLLBACK_ANNOTATION);
    String first = requests().get(StagingRelease.ROLLBACK_ANNOTATION);

    assertThat(run("rollback", "shop", "--no-wait", "--state", state.toString())).isZero();
    assertThat(requests()).containsEntry(StagingRelease.ROLLBACK_TO_ANNOTATION, "");
    assertThat(requests().get(StagingRelease.ROLLBACK_ANNOTATION)).isNotEqualTo(first);
  }

  @Test
  void rollbackToWithEmergencyIsOneSentence() {
    assertThat(run("rollback", "shop", "--to", "v1", "--emergency", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("error: --to and --emergency do not go together: an emergency rollback goes"
        + " to last-known-good at once; drop --to, or drop --emergency to roll back to v1" + System.lineSeparator());
    assertThat(requests()).isEmpty();
    assertThat(run("rollback", "nope", "--to", "v1", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("error: no release named nope").doesNotContain("\tat ");
  }

  @Test
  void suspendAndResumeInLocalModeWriteTheRequest() {
    assertThat(run("suspend", "shop", "--state", state.toString())).isZero();
    assertThat(out.toString()).contains("shop suspended");
    assertThat(requests()).containsEntry(RequestStore.SUSPEND_KEY, RequestStore.SUSPENDED);
    assertThat(run("resume", "shop", "--state", state.toString())).isZero();
    assertThat(out.toString()).contains("shop resumed");
    assertThat(requests()).containsEntry(RequestStore.SUSPEND_KEY, "false");
  }

  @Test
  void everyCommandAnswersHelp() {
    assertThat(run("rollback", "--help")).isZero();
    assertThat(out.toString()).contains("--to=REF|COMMIT", "--emergency");
    assertThat(run("suspend", "--help")).isZero();
    assertThat(run("resume", "--help")).isZero();
  }
}
