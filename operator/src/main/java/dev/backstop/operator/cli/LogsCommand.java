package dev.backstop.operator.cli;

import dev.backstop.operator.compose.TlsFiles;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.state.FileTrees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop logs NAME [SERVICE]`: the release's containers' logs, through `docker compose logs`. */
@Command(name = "logs", description = {"Print the logs of a release's containers (all services, or SERVICE)"
    + " with `docker compose logs` against the release's Docker host.",
    "Against a cluster: spec.compose.dockerHost with the TLS material of its Secret when you may read it; a release"
        + " without dockerHost runs on the operator host's engine, which this command reaches only through"
        + " DOCKER_HOST or on that host."})
final class LogsCommand implements Callable<Integer> {

  /** The label compose puts on every container of a project. */
  private static final String PROJECT_LABEL = "com.docker.compose.project";

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
    Workload release = state.source().workload(name);
    ReleaseSettings settings = release.settings();
    Workload.Engine engine = release.engine();
    Path tlsDir = engine.tls() == null ? null : Files.createTempDirectory("backstop-logs-tls-");
    try {
      if (tlsDir != null) {
        TlsFiles.write(tlsDir, engine.tls());
      }
      if (!hasContainers(settings.projectName(), engine, tlsDir)) {
        throw new IllegalArgumentException("no container of compose project " + settings.projectName()
            + " on the Docker engine " + where(engine) + "; " + engine.absent());
      }
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
      ProcessBuilder pb = docker(command, engine, tlsDir).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.INHERIT);
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
    } finally {
      if (tlsDir != null) {
        FileTrees.deleteTree(tlsDir);
      }
    }
  }

  /**
   * Whether the engine has any container of {@code project}: `compose logs` prints nothing for a
   * project it does not find, which reads as a quiet stack.
   */
  private static boolean hasContainers(String project, Workload.Engine engine, Path tlsDir)
      throws IOException, InterruptedException {
    Process p = docker(List.of("docker", "ps", "-a", "-q", "--filter", "label=" + PROJECT_LABEL + "=" + project),
        engine, tlsDir).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalArgumentException("the Docker engine " + where(engine) + " did not list containers within"
          + " 60 s; check that it is up");
    }
    if (p.exitValue() != 0) {
      String first = out.lines().filter(l -> !l.isBlank()).findFirst().orElse("docker ps exited " + p.exitValue());
      throw new IllegalArgumentException("cannot list the containers on the Docker engine " + where(engine) + ": "
          + first + (engine.tlsOrigin() == null ? "" : "; " + engine.tlsOrigin()));
    }
    return !out.isEmpty();
  }

  /** The docker CLI pointed at the release's engine: its host and its Secret's TLS files, if any. */
  private static ProcessBuilder docker(List<String> command, Workload.Engine engine, Path tlsDir) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    if (engine.dockerHost() != null) {
      env.put("DOCKER_HOST", engine.dockerHost());
      // The docker CLI refuses DOCKER_HOST and DOCKER_CONTEXT together.
      env.remove("DOCKER_CONTEXT");
    }
    if (tlsDir != null) {
      env.put("DOCKER_TLS_VERIFY", "1");
      env.put("DOCKER_CERT_PATH", tlsDir.toString());
    }
    return pb;
  }

  /** The engine as the docker CLI finds it, for messages: "at HOST" or "of your environment". */
  private static String where(Workload.Engine engine) {
    if (engine.dockerHost() != null) {
      return "at " + engine.dockerHost();
    }
    String env = System.getenv("DOCKER_HOST");
    return env != null && !env.isBlank() ? "at " + env + " (DOCKER_HOST)"
        : "of your environment (DOCKER_HOST is not set)";
  }
}
