package dev.backstop.operator.compose;

import dev.backstop.operator.compose.ComposeException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ComposeDriver} that runs the real `docker compose` v2 CLI in a child process. */
public final class DockerComposeCli implements ComposeDriver {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(DockerComposeCli.class);

  // Compose's own exit codes for "file not found" and "cannot parse": it stopped before acting.
  private static final Set<Integer> INVALID_EXIT_CODES = Set.of(14, 15);
  private static final List<String> UNAVAILABLE_MARKERS =
      List.of(
          "Cannot connect to the Docker daemon",
          "error during connect",
          "'compose' is not a docker command",
          // A TLS engine answering a client without certificates: reachable, but not for us.
          "HTTP request to an HTTPS server",
          "tls: ",
          "x509: ");
  // stdout carries `config --services`; stderr only matters for its last lines.
  private static final int MAX_STDOUT_LINES = 10_000;
  private static final int MAX_STDERR_LINES = 200;
  // How long to wait for the pipes to close once the process is gone.
  private static final long DRAIN_MILLIS = 5_000;

  private final String docker;
  private final Duration timeout;
  private final SubprocessEnv env;

  public DockerComposeCli() {
    this("docker", DEFAULT_TIMEOUT);
  }

  public DockerComposeCli(Duration timeout) {
    this("docker", timeout);
  }

  /** A CLI whose children get a private HOME in a temporary directory. */
  public DockerComposeCli(String docker, Duration timeout) {
    this(docker, timeout, SubprocessEnv.inTempHome());
  }

  /**
   * @param docker the docker executable, looked up on PATH unless it is a path
   * @param timeout how long one compose command may run before it is killed
   * @param env the allowlisted environment every compose and docker child gets
   */
  public DockerComposeCli(String docker, Duration timeout, SubprocessEnv env) {
    this.docker = Objects.requireNonNull(docker, "docker");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.env = Objects.requireNonNull(env, "env");
  }

  @Override
  public List<String> services(ComposeProject project) throws ComposeException {
    Output output = run(project, "config", List.of("config", "--services"), LOG::debug);
    if (output.exitCode != 0) {
      // `config` never talks to the engine, so any failure is the files' fault.
      throw failure(project, "config", output, Kind.INVALID);
    }
    return output.stdout.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  @Override
  public Map<String, String> hashes(ComposeProject project) throws ComposeException {
    Output output = run(project, "config", List.of("config", "--hash", "*"), LOG::debug);
    if (output.exitCode != 0) {
      throw failure(project, "config", output, Kind.INVALID);
    }
    Map<String, String> hashes = new java.util.TreeMap<>();
    for (String line : output.stdout.lines().map(String::strip).toList()) {
      String[] parts = line.split("\\s+");
      if (parts.length == 2) {
        hashes.put(parts[0], parts[1]);
      }
    }
    return hashes;
  }

  @Override
  public void down(ComposeProject project, boolean removeOrphans, Duration stopTimeout)
      throws ComposeException {
    List<String> args = new ArrayList<>(List.of("down"));
    if (removeOrphans) {
      args.add("--remove-orphans");
    }
    if (stopTimeout != null) {
      args.addAll(List.of("--timeout", String.valueOf(stopTimeout.toSeconds())));
    }
    Output output = run(project, "down", args, LOG::info);
    if (output.exitCode != 0) {
      throw failure(project, "down", output, Kind.FAILED);
    }
  }

  @Override
  public String config(ComposeProject project) throws ComposeException {
    Output output = run(project, "config", List.of("config", "--format", "json"), LOG::debug);
    if (output.exitCode != 0) {
      throw failure(project, "config", output, Kind.INVALID);
    }
    return output.stdout;
  }

  @Override
  public String rawConfig(ComposeProject project) throws ComposeException {
    Output output =
        run(project, "config", List.of("config", "--format", "json", "--no-interpolate"), LOG::debug);
    if (output.exitCode != 0) {
      throw failure(project, "config", output, Kind.INVALID);
    }
    return output.stdout;
  }

  @Override
  public Optional<String> imageUser(DockerEndpoint dockerHost, String image) throws ComposeException {
    Output output =
        docker(dockerHost, "image inspect",
            List.of("image", "inspect", "--format", "{{.Config.User}}", image));
    if (output.exitCode != 0) {
      if (output.stderr.contains("No such image")) {
        return Optional.empty();
      }
      throw dockerFailure("image inspect", output);
    }
    return Optional.of(output.stdout.strip());
  }

  @Override
  public void build(ComposeProject project, List<String> services) throws ComposeException {
    List<String> args = new ArrayList<>(List.of("build"));
    args.addAll(services);
    // Build progress is what a person watches during a deploy: it goes to the log as it comes.
    // BuildKit stays on (no DOCKER_BUILDKIT=0): the default builder uses the engine's own image
    // store, so a local base image such as busybox:1.36 resolves without a registry (checked
    // with engine 26 and Compose 2.26). A user's docker-container builder would not see them.
    Output output = run(project, "build", args, LOG::info);
    if (output.exitCode != 0) {
      throw failure(project, "build", output, Kind.FAILED);
    }
  }

  @Override
  public void pull(ComposeProject project, String policy, List<String> services)
      throws ComposeException {
    List<String> args = new ArrayList<>(List.of("pull", "--policy", policy));
    args.addAll(services);
    Output output = run(project, "pull", args, LOG::info);
    if (output.exitCode != 0) {
      throw failure(project, "pull", output, Kind.FAILED);
    }
  }

  @Override
  public void upFromHostImages(ComposeProject project) throws ComposeException {
    Output output =
        run(
            project,
            "up",
            List.of("up", "-d", "--remove-orphans", "--no-build", "--pull", "never"),
            LOG::info);
    if (output.exitCode != 0) {
      throw failure(project, "up", output, Kind.FAILED);
    }
  }

  @Override
  public void upServicesFromHostImages(ComposeProject project, List<String> services)
      throws ComposeException {
    List<String> args = new ArrayList<>(List.of("up", "-d", "--no-deps", "--no-build", "--pull", "never"));
    args.add("--");
    args.addAll(services);
    Output output = run(project, "up", args, LOG::info);
    if (output.exitCode != 0) {
      throw failure(project, "up", output, Kind.FAILED);
    }
  }

  @Override
  public Optional<String> imageId(DockerEndpoint dockerHost, String image) throws ComposeException {
    Output output =
        docker(dockerHost, "image inspect", List.of("image", "inspect", "--format", "{{.Id}}", image));
    if (output.exitCode != 0) {
      if (output.stderr.contains("No such image")) {
        return Optional.empty();
      }
      throw dockerFailure("image inspect", output);
    }
    return Optional.of(output.stdout.strip());
  }

  @Override
  public List<String> images(DockerEndpoint dockerHost, String label, String value)
      throws ComposeException {
    Output output =
        docker(
            dockerHost,
            "image ls",
            List.of(
                "image",
                "ls",
                "--filter",
                "label=" + label + "=" + value,
                "--format",
                "{{.Repository}}:{{.Tag}}"));
    if (output.exitCode != 0) {
      throw dockerFailure("image ls", output);
    }
    return output.stdout.lines()
        .map(String::strip)
        .filter(s -> !s.isEmpty() && !s.contains("<none>"))
        .toList();
  }

  @Override
  public boolean removeImage(DockerEndpoint dockerHost, String image) throws ComposeException {
    Output output = docker(dockerHost, "image rm", List.of("image", "rm", image));
    if (output.exitCode == 0) {
      return true;
    }
    if (UNAVAILABLE_MARKERS.stream().anyMatch(output.stderr::contains)) {
      throw dockerFailure("image rm", output);
    }
    LOG.debug("kept image {}: {}", image, output.stderr.strip());
    return false;
  }

  private Output docker(DockerEndpoint dockerHost, String verb, List<String> args)
      throws ComposeException {
    List<String> command = new ArrayList<>(List.of(docker));
    command.addAll(args);
    return exec(command, null, dockerHost, Map.of(), verb, "docker " + verb + ": ", LOG::debug);
  }

  private static ComposeException dockerFailure(String verb, Output output) {
    String trimmed = ComposeOutput.trimForStatus(output.stderr);
    Kind kind =
        UNAVAILABLE_MARKERS.stream().anyMatch(output.stderr::contains)
            ? Kind.UNAVAILABLE
            : Kind.FAILED;
    EngineFault fault = engineFault(kind, output.stderr, false);
    return new ComposeException(
        kind,
        "docker " + verb + " failed (exit " + output.exitCode + "): "
            + (trimmed.isEmpty() ? "no output" : trimmed)
            + (fault == null || fault == EngineFault.UNREACHABLE ? "" : " (" + fault.hint() + ")"),
        null,
        fault);
  }

  /** The full command line for {@code args}, with files made absolute against the directory. */
  List<String> command(ComposeProject project, List<String> args) {
    Path dir = directory(project);
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(docker, "compose", "-p", project.name(), "--project-directory", dir.toString()));
    for (String file : project.files()) {
      command.add("-f");
      command.add(dir.resolve(file).toString());
    }
    for (String envFile : project.envFiles()) {
      command.add("--env-file");
      command.add(dir.resolve(envFile).toString());
    }
    command.addAll(args);
    return command;
  }

  private Output run(ComposeProject project, String verb, List<String> args, Consumer<String> log)
      throws ComposeException {
    checkFilesExist(project);
    return exec(
        command(project, args),
        directory(project),
        project.dockerHost(),
        project.environment(),
        "compose " + verb,
        project.name() + ": ",
        log);
  }

  private Output exec(
      List<String> command,
      Path workDir,
      DockerEndpoint dockerHost,
      Map<String, String> variables,
      String verb,
      String prefix,
      Consumer<String> log)
      throws ComposeException {
    ProcessBuilder builder = new ProcessBuilder(command);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    try {
      // Stack variables go in through the allowlist, which never lets them set DOCKER_*, PATH, ...
      configureEnvironment(builder, dockerHost, variables);
    } catch (java.io.UncheckedIOException e) {
      throw new ComposeException(
          Kind.UNAVAILABLE, e.getMessage() + "; check that the state directory is writable", e);
    }
    LOG.debug("Running {}", builder.command());

    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ComposeException(
          Kind.UNAVAILABLE, "cannot run " + docker + " " + verb + ": " + e.getMessage(), e);
    }
    LinePump stdout =
        LinePump.start(
            process.getInputStream(),
            MAX_STDOUT_LINES,
            line -> LOG.debug("{}{}", prefix, masked(line.strip(), variables)),
            verb.replace(' ', '-') + "-stdout");
    LinePump stderr =
        LinePump.start(
            process.getErrorStream(),
            MAX_STDERR_LINES,
            line -> log.accept(prefix + masked(ComposeOutput.stripAnsi(line).strip(), variables)),
            verb.replace(' ', '-') + "-stderr");
    try {
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(process);
        String last = masked(stderr.await(DRAIN_MILLIS), variables);
        if (workDir != null) {
          last = last.replace(workDir + "/", "");
        }
        throw new ComposeException(
            Kind.FAILED,
            "docker "
                + verb
                + " timed out after "
                + format(timeout)
                + " and was killed"
                + lastLines(last));
      }
      // stdout stays whole for the callers that parse it (config); stderr feeds status messages.
      return new Output(
          process.exitValue(), stdout.await(DRAIN_MILLIS), masked(stderr.await(DRAIN_MILLIS), variables));
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new ComposeException(Kind.FAILED, "docker " + verb + " was interrupted", e);
    } catch (IOException e) {
      killTree(process);
      throw new ComposeException(Kind.FAILED, "docker " + verb + ": " + e.getMessage(), e);
    }
  }

  /**
   * Output with stack variable values replaced by ***: compose echoes interpolated files (config)
   * and some errors quote values. Values under 3 characters stay, or every digit would vanish.
   */
  static String masked(String text, Map<String, String> variables) {
    String out = text;
    for (String value : variables.values()) {
      if (value.length() >= 3) {
        out = out.replace(value, "***");
      }
    }
    return out;
  }

  // Only what Backstop sets: the project's files come from git and its variables from the
  // release, never from the daemon's environment (COMPOSE_FILE, tokens, ...).
  private void configureEnvironment(
      ProcessBuilder builder, DockerEndpoint dockerHost, Map<String, String> variables) {
    SubprocessEnv.Builder vars =
        env.builder()
            .set("COMPOSE_ANSI", "never")
            .set("COMPOSE_PROGRESS", "plain")
            .extra(variables)
            .endpoint(dockerHost == null ? DockerEndpoint.LOCAL : dockerHost);
    if (dockerHost != null && dockerHost.isSsh()) {
      // The docker CLI runs ssh itself for ssh:// hosts, as the operator user with its keys.
      vars.sshUser();
    }
    vars.applyTo(builder);
  }

  private static void checkFilesExist(ComposeProject project) throws ComposeException {
    Path dir = directory(project);
    if (!Files.isDirectory(dir)) {
      throw new ComposeException(Kind.INVALID, "project directory " + dir + " does not exist");
    }
    for (String file : project.files()) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new ComposeException(
            Kind.INVALID, "compose file " + file + " not found in the project directory");
      }
    }
    for (String envFile : project.envFiles()) {
      if (!Files.isRegularFile(dir.resolve(envFile))) {
        throw new ComposeException(
            Kind.INVALID, "env file " + envFile + " not found in the project directory");
      }
    }
  }

  private static ComposeException failure(
      ComposeProject project, String verb, Output output, Kind kind) {
    String raw = output.stderr.isBlank() ? output.stdout : output.stderr;
    String trimmed =
        ComposeOutput.trimForStatus(ComposeOutput.withoutProgress(relativize(project, raw)));
    if (UNAVAILABLE_MARKERS.stream().anyMatch(raw::contains)) {
      kind = Kind.UNAVAILABLE;
    } else if (INVALID_EXIT_CODES.contains(output.exitCode)) {
      kind = Kind.INVALID;
    }
    EngineFault fault = engineFault(kind, raw, verb.equals("pull") || verb.equals("build"));
    String message =
        "docker compose "
            + verb
            + " failed (exit "
            + output.exitCode
            + "): "
            + (trimmed.isEmpty() ? "no output" : trimmed)
            + project.dockerHost().hint(raw)
            + (fault == null || fault == EngineFault.UNREACHABLE ? "" : " (" + fault.hint() + ")");
    return new ComposeException(kind, message, null, fault);
  }

  /**
   * The engine's fault in a failed command's output, or null. Files compose refused to read are
   * the commit's whatever else was printed; an engine that did not answer is always the engine's.
   */
  private static EngineFault engineFault(Kind kind, String raw, boolean fetchesImages) {
    if (kind == Kind.INVALID) {
      return null;
    }
    EngineFault fault = EngineFault.in(raw, fetchesImages);
    return fault == null && kind == Kind.UNAVAILABLE ? EngineFault.UNREACHABLE : fault;
  }

  // Paths inside the per-commit checkout read better relative to it, and stay stable across
  // commits.
  private static String relativize(ComposeProject project, String text) {
    return text.replace(directory(project) + "/", "");
  }

  private static String lastLines(String stderr) {
    String trimmed = ComposeOutput.trimForStatus(stderr);
    return trimmed.isEmpty() ? "" : "; last output: " + trimmed;
  }

  private static Path directory(ComposeProject project) {
    return Objects.requireNonNull(project.directory(), "project directory")
        .toAbsolutePath()
        .normalize();
  }

  private static void killTree(Process process) {
    // Children first: once the parent is gone they are re-parented and out of reach. The docker
    // CLI runs compose as a plugin child process, so killing only `docker` would leave it running.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }

  private record Output(int exitCode, String stdout, String stderr) {}
}
