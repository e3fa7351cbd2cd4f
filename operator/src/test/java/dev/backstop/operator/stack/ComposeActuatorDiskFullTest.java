package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.EngineRetry;
import dev.backstop.operator.core.TestSettings;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.git.SourceRepository;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkout that meets a full disk is the host's fault, retried; any other checkout failure is not. */
class ComposeActuatorDiskFullTest {

  @TempDir Path tmp;

  private ApplyOutcome applyWhenCheckoutFails(String why) throws Exception {
    SourceRepository git = new SourceRepository() {
      @Override
      public String resolve(String url, String ref, boolean fetch, GitCredentials credentials) {
        return "a".repeat(40);
      }

      @Override
      public Path checkout(String url, String commit, Path root, GitCredentials credentials)
          throws SourceException {
        // The words JGitSourceRepository uses, with the JDK's message for ENOSPC.
        throw new SourceException(SourceException.Kind.UNAVAILABLE, "cannot write the checkout of " + commit
            + " to " + root + " (" + why + "); check free space and permissions of " + root);
      }

      @Override
      public dev.backstop.operator.core.TagOutcome tag(String url, String commit, String name,
          GitCredentials credentials) {
        throw new AssertionError("a deploy without source.tagBeforeDeploy tags nothing");
      }
    };
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("https://git.example/app.git");
    source.setRef("main");
    spec.setSource(source);
    spec.setCompose(new ComposeSpec());
    Revision target = new Revision();
    target.setCommit("a".repeat(40));
    try (DockerHosts hosts = new DockerHosts()) {
      DockerComposeCli cli = new DockerComposeCli();
      ComposeActuator actuator =
          new ComposeActuator(hosts, git, cli, new DockerDatabaseBackups(hosts), new ServiceCatalog(cli));
      ReleaseInput release = new ReleaseInput("default/demo", "demo", spec, 1, Map.of(), tmp, Access.NONE);
      return actuator.apply(release, TestSettings.of("demo", spec),
          new Action.Apply(ActionKind.Deploy, target, false));
    }
  }

  @Test
  void aFullDiskIsDiskFullAndRetried() throws Exception {
    ApplyOutcome outcome = applyWhenCheckoutFails("/var/lib/backstop/x/compose.yaml: No space left on device");
    assertThat(outcome.reason()).isEqualTo(Reason.DiskFull);
    assertThat(EngineRetry.isEngineFault(outcome.reason())).isTrue();
    assertThat(outcome.touched()).isFalse();
    assertThat(outcome.message()).contains("No space left on device", "free space");
  }

  @Test
  void anyOtherCheckoutFailureStaysSourceUnavailable() throws Exception {
    ApplyOutcome outcome = applyWhenCheckoutFails("Permission denied");
    assertThat(outcome.reason()).isEqualTo(Reason.SourceUnavailable);
  }
}
