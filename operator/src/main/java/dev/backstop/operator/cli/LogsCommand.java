package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.local.SavedSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop logs NAME [SERVICE]`: the release's containers' logs, through `docker compose logs`. */
@Command(name = "logs", description = "Print the logs of a release's containers (all services, or SERVICE)"
    + " with `docker compose logs` against the release's Docker host.")
final class LogsCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME", description = "The release, as `backstop status` lists it.")
  String name;

  @Parameters(index = "1", arity = "0..1", paramLabel = "SERVICE", description = "Only this compose service.")
  String service;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted.")
  boolean follow;

  @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines of each container.")
  Integer tail;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tail != null && tail < 0) {
      throw new IllegalArgumentException("--tail must be 0 or more, not " + tail);
    }
    if (state.kube()) {
      throw new IllegalArgumentException("logs reads the containers on the release's Docker host: run it there"
          + " with --state, or use `docker compose -p PROJECT logs` against that host");
    }
    StagingReleaseSpec releaseSpec = SavedSpec.read(state.store().release(name).path())
        .orElseThrow(() -> state.noSuchRelease(name));
    ReleaseSettings settings = ReleaseSettings.from(name, releaseSpec);
    // The project name is all `compose logs` needs: it finds the containers by their labels.
    List<String> command = new ArrayList<>(List.of("docker", "compose", "-p", settings.projectName(), "logs",
        "--no-color"));
    if (follow) {
      command.add("--follow");
    }
    if (tail != null) {
      command.add("--tail");
      command.add(String.valueOf(tail));
    }
    if (service != null) {
      command.add(service);
    }
    // Through this process's output, so that the one redactor sees every line.
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.INHERIT);
    if (settings.dockerHost() != null) {
      pb.environment().put("DOCKER_HOST", settings.dockerHost());
    }
    Process p = pb.start();
    PrintWriter out = spec.commandLine().getOut();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        out.println(line);
        out.flush();
      }
      return p.waitFor() == 0 ? 0 : 1;
    } finally {
      p.destroy();
    }
  }
}
