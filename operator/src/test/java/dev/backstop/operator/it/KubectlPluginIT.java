package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import dev.backstop.operator.cli.BackstopCommand;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `kubectl backstop ...`: the real kubectl finds the installed `kubectl-backstop` launcher (from
 * scripts/install.sh) on its PATH and runs it against the mock API server with the kubeconfig it
 * was given; plus the same commands run in-process with --kubeconfig/-n/--context.
 */
class KubectlPluginIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private MockCluster cluster;
  private KubectlPlugin plugin;
  private Path kubeconfig;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    cluster = new MockCluster();
    kubeconfig = cluster.kubeconfig(tmp);
    plugin = KubectlPlugin.install(tmp, kubeconfig);
    create("default", "demo", Phase.Healthy);
    create("team", "other", Phase.RolledBack);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void kubectlRunsThePluginForStatusHistoryWaitRequestsAndSuspend() throws Exception {
    assertThat(Files.isExecutable(plugin.bin.resolve("backstop"))).isTrue();
    Run status = kubectl("backstop", "status");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out().lines().findFirst().orElseThrow()).startsWith("NAME").contains("PHASE");
    assertThat(status.out()).contains("demo").contains("Healthy").doesNotContain("other");

    Run all = kubectl("backstop", "status", "-A");
    assertThat(all.out()).contains("default/demo").contains("team/other").contains("RolledBack");

    Run json = kubectl("backstop", "status", "demo", "-o", "json");
    assertThat(JSON.readTree(json.out()).path("phase").asText()).isEqualTo("Healthy");

    Run history = kubectl("backstop", "history", "demo");
    assertThat(history.out()).contains("Deploy").contains("SpecChange").contains("Succeeded");

    assertThat(kubectl("backstop", "wait", "demo", "--for", "phase=Healthy", "--timeout", "20s").exit()).isZero();
    Run timedOut = kubectl("backstop", "wait", "demo", "--for", "phase=Failed", "--timeout", "1s");
    assertThat(timedOut.exit()).isEqualTo(1);

    Run rollback = kubectl("backstop", "rollback", "demo");
    assertThat(rollback.exit()).as(rollback.err()).isZero();
    String first = annotation("default", "demo", StagingRelease.ROLLBACK_ANNOTATION);
    assertThat(first).isNotBlank();
    kubectl("backstop", "rollback", "demo");
    assertThat(annotation("default", "demo", StagingRelease.ROLLBACK_ANNOTATION)).isNotEqualTo(first);
    Run services = kubectl("backstop", "rollback", "demo", "--service", "api,web", "--no-wait");
    assertThat(services.exit()).as(services.err()).isZero();
    assertThat(annotation("default", "demo", StagingRelease.ROLLBACK_SERVICES_ANNOTATION)).startsWith("api,web;");
    // --to names the target in the same patch; a plain rollback afterwards removes it again.
    assertThat(kubectl("backstop", "rollback", "demo", "--to", "v1", "--no-wait").exit()).isZero();
    assertThat(annotation("default", "demo", StagingRelease.ROLLBACK_TO_ANNOTATION)).isEqualTo("v1");
    assertThat(kubectl("backstop", "rollback", "demo", "--no-wait").exit()).isZero();
    assertThat(annotation("default", "demo", StagingRelease.ROLLBACK_TO_ANNOTATION)).isNull();
    assertThat(kubectl("backstop", "retry", "-n", "team", "other").exit()).isZero();
    assertThat(annotation("team", "other", StagingRelease.RETRY_ANNOTATION)).isNotBlank();
    // Requests are metadata: the status the operator recorded is untouched.
    assertThat(release("default", "demo").getStatus().getPhase()).isEqualTo(Phase.Healthy);

    assertThat(kubectl("backstop", "suspend", "demo").exit()).isZero();
    assertThat(release("default", "demo").getSpec().getSuspend()).isTrue();
    assertThat(kubectl("backstop", "resume", "demo").exit()).isZero();
    assertThat(release("default", "demo").getSpec().getSuspend()).isFalse();

    Run missing = kubectl("backstop", "status", "nosuch");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err().strip()).isEqualTo("error: stagingrelease nosuch not found in namespace default");
  }

  @Test
  void inProcessTheKubectlOptionsSelectTheApiAndRefusalsAreOneSentence() throws Exception {
    Run status = cli("status", "--kubeconfig", kubeconfig.toString(), "-n", "team");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("other").doesNotContain("demo");

    Run context = cli("status", "--kubeconfig", kubeconfig.toString(), "--context", "mock");
    assertThat(context.out()).contains("demo");
    Run noContext = cli("status", "--kubeconfig", kubeconfig.toString(), "--context", "elsewhere");
    assertThat(noContext.exit()).isNotZero();
    assertThat(noContext.err()).contains("elsewhere");

    cluster.server.expect().get().withPath("/apis/backstop.dev/v1alpha1/namespaces/locked/stagingreleases/app")
        .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
            .withMessage("stagingreleases.backstop.dev \"app\" is forbidden").build())
        .always();
    Run forbidden = cli("rollback", "app", "--kubeconfig", kubeconfig.toString(), "-n", "locked");
    assertThat(forbidden.exit()).isNotZero();
    assertThat(forbidden.err().lines().toList()).singleElement().asString()
        .contains("forbidden (403)").contains("namespace locked");

    Run mixed = cli("status", "--kubeconfig", kubeconfig.toString(), "--state", tmp.toString());
    assertThat(mixed.exit()).isNotZero();
    assertThat(mixed.err()).contains("--state is for the local daemon");
  }

  private Run kubectl(String... args) throws Exception {
    KubectlPlugin.Run run = plugin.kubectl(args);
    return new Run(run.exit(), run.out(), run.err());
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private void create(String namespace, String name, Phase phase) throws Exception {
    StagingRelease sr = Serialization.unmarshal(DemoRepo.manifest(name, tmp, "v1", name), StagingRelease.class);
    sr.getMetadata().setNamespace(namespace);
    cluster.client.resource(sr).create();
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setPhase(phase);
    Revision v1 = new Revision();
    v1.setRef("v1");
    v1.setCommit("1".repeat(40));
    s.setCurrent(v1);
    s.setDesired(v1);
    HistoryEntry h = new HistoryEntry();
    h.setAction(ActionKind.Deploy);
    h.setTrigger(Trigger.SpecChange);
    h.setTo(v1);
    h.setResult(Result.Succeeded);
    h.setStartTime("2026-12-01T10:00:00Z");
    h.setEndTime("2026-12-01T10:00:05Z");
    s.getHistory().add(h);
    cluster.setStatus(namespace, name, s);
  }

  private StagingRelease release(String namespace, String name) {
    return cluster.client.resources(StagingRelease.class).inNamespace(namespace).withName(name).get();
  }

  private String annotation(String namespace, String name, String key) {
    var annotations = release(namespace, name).getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
