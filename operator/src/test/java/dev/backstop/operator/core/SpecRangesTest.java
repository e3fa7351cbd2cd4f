package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.core.checks.InvalidCheck;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Out-of-range and malformed values become problems naming their field, never exceptions. */
class SpecRangesTest {

  private static StagingReleaseSpec spec(Consumer<StagingReleaseSpec> change) {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("https://git.example/app.git");
    source.setRef("main");
    spec.setSource(source);
    spec.setCompose(new ComposeSpec());
    spec.setHealth(new HealthSpec());
    change.accept(spec);
    return spec;
  }

  private static String problems(Consumer<StagingReleaseSpec> change) {
    try {
      ReleaseSettings.from("demo", spec(change));
    } catch (InvalidSpecException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted");
  }

  private static String checkError(Consumer<StagingReleaseSpec> change) {
    try {
      return ((InvalidCheck) ReleaseSettings.from("demo", spec(change)).check("web")).error();
    } catch (InvalidSpecException e) {
      throw new AssertionError(e.getMessage());
    }
  }

  private static HealthCheckSpec http(String interval) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("web");
    c.setType(CheckType.HTTP);
    c.setUrl("http://127.0.0.1:8080/");
    c.setInterval(interval);
    return c;
  }

  @Test
  void overflowingDurationsAreProblemsNotArithmeticExceptions() {
    assertThat(problems(s -> s.getHealth().setInterval("9223372036854775807h")))
        .contains("spec.health.interval").contains("too long");
    assertThat(problems(s -> s.getHealth().setProgressDeadline("99999999999999999999999s")))
        .contains("spec.health.progressDeadline").contains("too long");
    assertThatThrownBy(() -> Durations.parse("f", "9223372036854775807ms9223372036854775807h"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f '");
  }

  @Test
  void aBackupTimeoutIsADurationOfAtLeastASecondDefaultingToAnHour() throws InvalidSpecException {
    Consumer<StagingReleaseSpec> backup = s -> {
      s.setBackup(new BackupSpec());
      s.getBackup().setService("db");
      s.getBackup().setCommand("pg_dump");
    };
    assertThat(problems(backup.andThen(s -> s.getBackup().setTimeout("500ms"))))
        .contains("spec.backup.timeout 500ms is below the floor of 1.0s");
    assertThat(problems(backup.andThen(s -> s.getBackup().setTimeout("soon")))).contains("spec.backup.timeout");
    assertThat(problems(backup.andThen(s -> s.getBackup().setTimeout("9223372036854775807h"))))
        .contains("spec.backup.timeout").contains("too long");
    assertThat(ReleaseSettings.from("demo", spec(backup)).backup().timeout()).isEqualTo(Duration.ofHours(1));
    assertThat(ReleaseSettings.from("demo", spec(backup.andThen(s -> s.getBackup().setTimeout("30m"))))
        .backup().timeout()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void nullListItemsNameTheirIndex() {
    assertThat(problems(s -> s.getCompose().setFiles(Arrays.asList("compose.yaml", null))))
        .contains("spec.compose.files[1] is empty");
    assertThat(problems(s -> s.getCompose().setEnvFiles(Arrays.asList((String) null))))
        .contains("spec.compose.envFiles[0] is empty");
    assertThat(problems(s -> s.getHealth().setChecks(Arrays.asList(http(null), null))))
        .contains("spec.health.checks[1] is empty");
  }

  @Test
  void intervalsBelowTheirFloorsAreRejected() {
    assertThat(problems(s -> s.getHealth().setInterval("1ms")))
        .contains("spec.health.interval 1ms is below the floor of 1.0s");
    assertThat(problems(s -> s.getSource().setPollInterval("9s")))
        .contains("spec.source.pollInterval 9.0s is below the floor of 10.0s");
    // A broken check is reported on its own (CheckInvalid) and never probed; the rest still run.
    assertThat(checkError(s -> s.getHealth().setChecks(List.of(http("999ms")))))
        .contains("spec.health.checks[0].interval 999ms is below the floor of 1s");
  }

  @Test
  void negativeCountsAndPercentagesOver100AreRejected() {
    assertThat(problems(s -> s.getCompose().setKeepImages(-1))).contains("spec.compose.keepImages");
    assertThat(checkError(s -> {
      HealthCheckSpec c = http(null);
      c.setConsecutiveFailures(-3);
      s.getHealth().setChecks(List.of(c));
    })).contains("spec.health.checks[0].consecutiveFailures must be 1 or more");
    assertThatThrownBy(() -> Percentages.parse("spec.health.checks[1].limit", "101%"))
        .hasMessageContaining("spec.health.checks[1].limit").hasMessageContaining("more than 100%");
  }

  @Test
  void refsShapedLikeOptionsOrCommandsAreRejected() {
    for (String ref : List.of("--upload-pack=touch /tmp/x", "$(rm -rf /)", "`id`", "main;reboot", "a..b",
        "x".repeat(300))) {
      assertThat(problems(s -> s.getSource().setRef(ref))).as(ref).contains("spec.source.ref");
    }
    assertThat(problems(s -> s.getSource().setUrl("--upload-pack=evil"))).contains("spec.source.url");
  }

  @Test
  void aPasswordInTheUrlIsRejectedWithoutBeingRepeated() {
    String message = problems(s -> s.getSource().setUrl("https://alice:s3cr3t-pw@git.example/app.git"));
    assertThat(message).contains("spec.source.url holds a password").doesNotContain("s3cr3t-pw");
  }

  @Test
  void aParserBugBecomesInvalidSpecInTheLoopNotACrash() {
    ReleaseHarness h = new ReleaseHarness();
    h.spec.setCompose(new ComposeSpec() {
      @Override
      public String getPath() {
        throw new IllegalStateException("parser bug");
      }
    });
    h.reconcile();
    var ready = Conditions.find(h.status.getConditions(), dev.backstop.operator.api.v1alpha1.ConditionType.Ready);
    assertThat(ready.getReason()).isEqualTo(Reason.InvalidSpec);
    assertThat(ready.getMessage()).contains("parser bug").doesNotContain("\tat ");
    assertThat(h.applied).isEmpty();
  }
}
