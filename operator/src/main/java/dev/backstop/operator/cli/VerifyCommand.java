package dev.backstop.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.ExecCheck;
import dev.backstop.operator.core.checks.InvalidCheck;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
import dev.backstop.operator.core.checks.ServiceHealthJudge;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.LiveProbes;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.stack.ServiceCatalog;
import dev.backstop.operator.state.StateLayout;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop verify NAME`: the runbook's verification script, declaratively: every check once, now. */
@Command(name = "verify", description = "Run every health check of a release once now; exit 0 only when all pass.")
final class VerifyCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "NAME", description = "The release, as `backstop status` lists it.")
  String name;

  @Mixin OutputFormat format;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean json = format.json();
    StatusStore store = state.store();
    StateLayout.ReleaseDir releaseDir = store.release(name);
    // The daemon keeps the last spec it saw beside the status (generation.json).
    Path generation = releaseDir.generation();
    if (!Files.exists(generation)) {
      throw state.noSuchRelease(name);
    }
    JsonNode saved = JSON.readTree(generation.toFile());
    StagingReleaseSpec releaseSpec = JSON.readValue(saved.path("specJson").asText(), StagingReleaseSpec.class);
    ReleaseSettings settings = ReleaseSettings.from(name, releaseSpec);
    StagingReleaseStatus status = store.read(name).orElse(null);

    List<CheckResult> results = new ArrayList<>();
    try (DockerHosts docker = new DockerHosts();
        LiveProbes probes = new LiveProbes(docker);
        HealthMonitor monitor = new HealthMonitor(probes, Clock.systemUTC())) {
      DockerContainerObserver observer = new DockerContainerObserver(docker);
      // Local mode's key for the release; a one-shot process has no TLS material registered.
      DockerEndpoint endpoint = docker.endpoint("default/" + name, settings.dockerHost());
      List<ContainerState> containers;
      try {
        containers = observer.containers(settings.projectName(), endpoint);
      } catch (ComposeException e) {
        containers = null;
        for (Check c : settings.checks()) {
          if (c instanceof ServiceHealthCheck || c instanceof ExecCheck) {
            results.add(new CheckResult(c.name(), Outcome.PENDING, "?", e.getMessage(), List.of()));
          }
        }
      }
      String commit = status == null || status.getCurrent() == null ? null : status.getCurrent().getCommit();
      List<String> services = new ServiceCatalog(new DockerComposeCli())
          .expected(settings, endpoint, commit, releaseDir.path(), containers == null ? List.of() : containers);
      if (containers != null) {
        for (Check c : settings.checks()) {
          if (c instanceof ServiceHealthCheck serviceHealth) {
            results.add(ServiceHealthJudge.evaluate(serviceHealth, services, containers));
          }
        }
      }
      results.addAll(monitor.runOnce(settings,
          new HealthMonitor.Target(endpoint, containers == null ? List.of() : containers, services)));
    }
    List<Map<String, String>> rows = new ArrayList<>();
    boolean allPass = true;
    for (Check c : settings.checks()) {
      CheckResult r = results.stream().filter(x -> x.check().equals(c.name())).findFirst().orElse(null);
      String error = c instanceof InvalidCheck invalid ? invalid.error() : null;
      String result = error != null ? "ERROR" : r == null ? "PENDING" : r.outcome().name();
      allPass &= result.equals("PASS");
      Map<String, String> row = new LinkedHashMap<>();
      row.put("name", c.name());
      row.put("type", typeName(c.type()));
      row.put("result", result);
      row.put("value", r == null || r.value() == null ? "" : r.value());
      row.put("message", error != null ? error : r == null ? "no result: its http check did not answer"
          : r.message());
      rows.add(row);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("release", name);
      doc.put("passed", allPass);
      doc.put("checks", rows);
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else {
      Table.print(out, new String[] {"name", "type", "result", "value", "message"}, rows);
      out.println(allPass ? "all checks pass" : "some checks do not pass");
    }
    out.flush();
    return allPass ? 0 : 1;
  }

  private static String typeName(CheckType type) {
    try {
      return JSON.writeValueAsString(type).replace("\"", "");
    } catch (Exception e) {
      return type.name();
    }
  }
}
