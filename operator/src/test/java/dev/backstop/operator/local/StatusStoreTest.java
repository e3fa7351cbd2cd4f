package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Condition;
import dev.backstop.operator.api.v1alpha1.ConditionStatus;
import dev.backstop.operator.api.v1alpha1.ConditionType;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.RollbackReport;
import dev.backstop.operator.api.v1alpha1.ServiceStatus;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusStoreTest {

  // A directory of its own inside the temp dir, so that '../x' lands somewhere only this test sees.
  @TempDir Path temp;
  Path state;

  @org.junit.jupiter.api.BeforeEach
  void stateInsideTheTempDir() throws IOException {
    state = java.nio.file.Files.createDirectories(temp.resolve("state"));
  }

  private StatusStore store() {
    return new StatusStore(state);
  }

  private static Revision revision(String ref, String commit) {
    Revision revision = new Revision();
    revision.setRef(ref);
    revision.setCommit(commit);
    revision.setShortCommit(commit.substring(0, 7));
    revision.setTime("2025-01-02T03:04:05Z");
    return revision;
  }

  private static StagingReleaseStatus fullStatus() {
    StagingReleaseStatus status = new StagingReleaseStatus();
    status.setObservedGeneration(4L);
    status.setPhase(Phase.RolledBack);
    status.setDesired(revision("main", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    status.setCurrent(revision("main", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    status.setLastKnownGood(revision("main", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

    Operation operation = new Operation();
    operation.setKind(ActionKind.Rollback);
    operation.setTrigger(Trigger.VerificationFailed);
    operation.setStage(OperationStage.Verifying);
    operation.setFrom(revision("main", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    operation.setTarget(revision("main", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    operation.setAppliedTime("2025-01-02T03:05:00Z");
    status.setOperation(operation);

    QuarantinedCommit quarantined = new QuarantinedCommit();
    quarantined.setCommit("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    quarantined.setReason(Reason.ProgressDeadlineExceeded);
    quarantined.setMessage("web never became healthy");
    status.getQuarantined().add(quarantined);

    ServiceStatus service = new ServiceStatus();
    service.setName("web");
    service.setState("running");
    service.setHealth("unhealthy");
    status.getServices().add(service);

    CheckStatus check = new CheckStatus();
    check.setName("up");
    check.setPassing(false);
    check.setConsecutiveFailures(3);
    check.setTripped(true);
    status.getChecks().add(check);

    HistoryEntry entry = new HistoryEntry();
    entry.setAction(ActionKind.Deploy);
    entry.setTrigger(Trigger.SpecChange);
    entry.setResult(Result.Failed);
    entry.setTo(revision("main", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    status.getHistory().add(entry);

    RollbackReport report = new RollbackReport();
    report.setRecoverySeconds(12.5);
    report.setServicesAffected(List.of("web"));
    status.setLastRollback(report);

    status.getHandledRequests().put("backstop.dev/retry", "2");
    status.setLastFetchTime("2025-01-02T03:04:00Z");

    Condition ready = new Condition();
    ready.setType(ConditionType.Ready);
    ready.setStatus(ConditionStatus.False);
    ready.setReason(Reason.RolledBack);
    ready.setObservedGeneration(4L);
    status.getConditions().add(ready);
    return status;
  }

  @Test
  void roundTripsEveryNestedField() throws IOException {
    StagingReleaseStatus written = fullStatus();

    assertThat(store().write("web", written)).isTrue();
    StagingReleaseStatus read = store().read("web").orElseThrow();

    assertThat(read).usingRecursiveComparison().isEqualTo(written);
    assertThat(read.getOperation().getStage()).isEqualTo(OperationStage.Verifying);
    assertThat(read.getQuarantined().get(0).getReason()).isEqualTo(Reason.ProgressDeadlineExceeded);
    assertThat(read.getConditions().get(0).getStatus()).isEqualTo(ConditionStatus.False);
    assertThat(read.getHistory().get(0).getResult()).isEqualTo(Result.Failed);
  }

  @Test
  void writesPrettyJsonWhereTheCliExpectsIt() throws IOException {
    store().write("web", fullStatus());

    Path file = state.resolve("releases/web/status.json");
    assertThat(store().releaseDir("web")).isEqualTo(state.resolve("releases/web"));
    assertThat(Files.readString(file))
        .startsWith("{\n  \"observedGeneration\"")
        .contains("\"phase\" : \"RolledBack\"");
  }

  @Test
  void statusAndRequestsAreReadableByTheOwnerOnly() throws IOException {
    store().write("web", fullStatus());
    new RequestStore(store()).request("web", "backstop.dev/rollback", "now");

    assertThat(mode(state.resolve("releases/web/status.json"))).isEqualTo("rw-------");
    assertThat(mode(state.resolve("releases/web/requests.json"))).isEqualTo("rw-------");
    assertThat(mode(state.resolve("releases/web"))).isEqualTo("rwx------");
  }

  private static String mode(Path p) throws IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws IOException {
    StagingReleaseStatus status = fullStatus();
    store().write("web", status);
    status.setPhase(Phase.Healthy);
    store().write("web", status);
    store().writeProblems(List.of(new ManifestProblem(Path.of("a.yaml"), null, "a.yaml: bad")));

    try (Stream<Path> files = Files.walk(state)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> state.relativize(p).toString()))
          .containsExactlyInAnyOrder("releases/web/status.json", "problems.json");
    }
    assertThat(store().read("web").orElseThrow().getPhase()).isEqualTo(Phase.Healthy);
  }

  @Test
  void skipsWriteWhenNothingChanged() throws IOException {
    assertThat(store().write("web", fullStatus())).isTrue();
    assertThat(store().write("web", fullStatus())).isFalse();

    StagingReleaseStatus changed = fullStatus();
    changed.getChecks().get(0).setConsecutiveFailures(4);
    assertThat(store().write("web", changed)).isTrue();
    assertThat(store().read("web").orElseThrow().getChecks().get(0).getConsecutiveFailures())
        .isEqualTo(4);
  }

  @Test
  void readsMissingStatusAsEmpty() {
    assertThat(store().read("web")).isEmpty();
  }

  @Test
  void readsCorruptStatusAsEmpty() throws IOException {
    Path file = state.resolve("releases/web/status.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"phase\": \"Healthy\", \"conditions\": [");

    assertThat(store().read("web")).isEmpty();

    Files.writeString(file, "");
    assertThat(store().read("web")).isEmpty();
  }

  @Test
  void rewritesACorruptStatus() throws IOException {
    Path file = state.resolve("releases/web/status.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "garbage");

    assertThat(store().write("web", fullStatus())).isTrue();
    assertThat(store().read("web")).isPresent();
  }

  @Test
  void listsReleasesThatHaveAStatus() throws IOException {
    assertThat(store().names()).isEmpty();
    store().write("web", fullStatus());
    store().write("api", fullStatus());
    Files.createDirectories(store().releaseDir("checkout-only"));
    Files.createDirectories(state.resolve("releases/Not_A_Name"));

    assertThat(store().names()).containsExactly("api", "web");
  }

  @Test
  void rejectsNamesThatAreNotDnsLabels() {
    StatusStore store = store();
    for (String name : List.of("../x", "a/b", "", "Web", "-web", "web-", "a".repeat(64), "..")) {
      assertThatThrownBy(() -> store.write(name, fullStatus()))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.read(name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.releaseDir(name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(state.getParent().resolve("x")).doesNotExist();
    assertThat(store.releaseDir("a".repeat(63)))
        .isEqualTo(state.resolve("releases/" + "a".repeat(63)));
  }

  @Test
  void roundTripsProblems() throws IOException {
    List<ManifestProblem> problems =
        List.of(
            new ManifestProblem(Path.of("/etc/backstop/a.yaml"), "web", "a.yaml: spec is required"),
            new ManifestProblem(Path.of("/etc/backstop/b.yaml"), null, "b.yaml: not valid YAML"));

    assertThat(store().readProblems()).isEmpty();
    assertThat(store().writeProblems(problems)).isTrue();
    assertThat(store().writeProblems(problems)).isFalse();
    assertThat(store().readProblems()).isEqualTo(problems);

    assertThat(store().writeProblems(List.of())).isTrue();
    assertThat(store().readProblems()).isEmpty();
  }

  @Test
  void readsCorruptProblemsAsEmpty() throws IOException {
    Files.writeString(state.resolve("problems.json"), "[1, 2");

    assertThat(store().readProblems()).isEmpty();
  }
}
