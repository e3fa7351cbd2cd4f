package dev.backstop.operator.backup;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.EngineFault;
import dev.backstop.operator.compose.ExecProcesses;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.BackupSettings;
import dev.backstop.operator.core.Durations;
import dev.backstop.operator.core.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DatabaseBackups} through execs in the database container: the dump streams from the
 * engine's exec stream through compression (and encryption) into a {@link BackupStore}, and a
 * restore from the store into `docker exec -i`, so memory stays flat whatever the database's size.
 */
public final class DockerDatabaseBackups implements DatabaseBackups {

  private static final Logger LOG = LoggerFactory.getLogger(DockerDatabaseBackups.class);
  private static final int STDERR_KEEP = 2000;
  // Feeds a restore in large pieces: fewer writes to the CLI's pipe.
  private static final int BUFFER = 256 * 1024;
  // Once the restore command has run, the core cannot tell how far it got; people must know.
  private static final String PARTLY = "; the database may be partly restored";
  /** Label on drill containers, so that one left by a killed process can be found and removed. */
  public static final String DRILL_LABEL = "dev.backstop.drill";
  private static final java.time.Duration DRILL_READY = java.time.Duration.ofMinutes(3);

  // How long to wait for a killed restore's pipes and threads to wind down.
  private static final java.time.Duration DRAIN = java.time.Duration.ofSeconds(5);

  private final DockerHosts hosts;

  /** Backs up through the clients and ssh forwards of {@code hosts}, which the caller owns. */
  public DockerDatabaseBackups(DockerHosts hosts) {
    this.hosts = hosts;
  }

  /**
   * Dumps from the engine's exec stream, read here: the `docker exec` CLI would relay the same
   * bytes through one more process and pipe, which on two cores cost more CPU than compressing them
   * (0.77x a plain `docker exec … > file` through the CLI, 1.19x read here, by BackupBenchmark).
   * The stream's reader thread compresses, hashes and stores each frame before it reads the next,
   * so a slow store holds the command back instead of filling memory.
   */
  @Override
  public BackupOutcome dump(Target target, String command, Copy copy) {
    DockerClient client = null;
    String execId = null;
    ExecOutput output = null;
    boolean finished = false;
    try {
      client = client(target, DockerHosts.Purpose.LONG_CALL);
      String container = container(client, target);
      execId = exec(client, container, command, target.password());
      long started = System.nanoTime();
      long deadline = started + target.timeout().toNanos();
      // Closing the upload without its commit discards it: a failed dump leaves nothing stored.
      try (BackupStore.Upload upload = copy.store().create(copy.name())) {
        BackupFormat.Stored stored = new BackupFormat.Stored(upload.stream());
        try (OutputStream dump = BackupFormat.seal(stored, copy.key(), copy.compression())) {
          output = client.execStartCmd(execId).exec(new ExecOutput(dump));
          boolean ended = output.awaitCompletion(Math.max(1, remaining(deadline)), TimeUnit.NANOSECONDS);
          if (output.writeError != null) {
            throw new IOException("cannot write " + copy.where() + ": " + output.writeError.getMessage(),
                output.writeError);
          }
          if (!ended) {
            String killed = ExecProcesses.kill(client, target.dockerHost(), execId);
            finished = true;
            throw new BackupException("`" + command + "` did not finish within the "
                + Durations.format(target.timeout()) + " spec.backup.timeout and was stopped" + killed
                + "; nothing was kept");
          }
        }
        finished = true;
        String stderr = output.stderr();
        if (output.readError != null) {
          // The stream broke: the engine restarted, the host went away, or the container died.
          return BackupOutcome.engineFailed(Reason.DockerUnavailable, "the dump stream broke: "
              + Failures.rootMessage(output.readError) + tail(stderr));
        }
        long exit = exitCode(client, execId);
        if (exit != 0) {
          // A command whose container stopped under it exits non-zero too: that is the host's trouble.
          if (!stillRunning(client, container, exit)) {
            return BackupOutcome.engineFailed(Reason.DockerUnavailable, "the " + target.service()
                + " container stopped while `" + command + "` ran (exit " + exit + "), so the dump is incomplete"
                + tail(stderr));
          }
          return BackupOutcome.failed("`" + command + "` exited with " + exit + tail(stderr));
        }
        if (output.bytes == 0) {
          return BackupOutcome.failed("`" + command + "` wrote nothing to stdout, so there is nothing to keep"
              + tail(stderr));
        }
        String sha256 = stored.sha256();
        long dumped = System.nanoTime();
        upload.commit(sha256);
        LOG.info("backup {}: {} bytes dumped in {} ms, {} bytes stored ({}) and committed in {} ms{}", copy.where(),
            output.bytes, (dumped - started) / 1_000_000, stored.bytes(), copy.compression().name().toLowerCase(),
            (System.nanoTime() - dumped) / 1_000_000,
            copy.key() == null ? "" : " (encrypted, key " + copy.key().fingerprint() + ")");
        return BackupOutcome.written(stored.bytes(), sha256);
      }
    } catch (BackupException e) {
      return e.outcome();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BackupOutcome.failed("the backup was interrupted");
    } catch (IOException e) {
      String message = "the dump could not be written: " + Failures.rootMessage(e);
      return diskFull(e) ? BackupOutcome.engineFailed(Reason.DiskFull, message) : BackupOutcome.failed(message);
    } catch (RuntimeException e) {
      // What docker-java throws here (refused connection, container gone) is the engine's.
      return BackupOutcome.engineFailed(Reason.DockerUnavailable, "the dump broke off: " + Failures.rootMessage(e));
    } finally {
      if (output != null) {
        closeQuietly(output);
      }
      if (!finished && execId != null) {
        // Interrupted or failed half-way: the command must not go on dumping into nothing.
        ExecProcesses.kill(client, target.dockerHost(), execId);
      }
    }
  }

  /**
   * Creates an exec of {@code command} in {@code container} with stdout and stderr attached; a
   * password goes in the engine API's request body, never on a command line.
   */
  private static String exec(DockerClient client, String container, String command, String password) {
    var create = client.execCreateCmd(container).withCmd("sh", "-c", command)
        .withAttachStdout(true).withAttachStderr(true);
    if (password != null) {
      create.withEnv(List.of(BackupSettings.PASSWORD_VARIABLE + "=" + password));
    }
    return create.exec().getId();
  }

  private static void closeQuietly(ExecOutput output) {
    try {
      output.close();
    } catch (IOException e) {
      // Closing only drops the connection of an exec that has ended or been killed.
      LOG.debug("closing an exec stream failed", e);
    }
  }

  /**
   * Whether the container outlived the dump. A command killed by a signal (exit above 128) may
   * have died with its container, whose state the engine records a moment after the exec's end.
   */
  private static boolean stillRunning(DockerClient client, String container, long exit) throws InterruptedException {
    int checks = exit > 128 ? 20 : 1;
    for (int i = 0; i < checks; i++) {
      if (!running(client, container)) {
        return false;
      }
      if (i + 1 < checks) {
        Thread.sleep(100);
      }
    }
    return true;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /**
   * The `docker exec -i` CLI feeding {@code command} in {@code container}. With a password, `-e NAME`
   * (no value) forwards it from the CLI's own environment ({@link #withPassword}), so it never
   * appears on a command line that `ps` on the host or in the container would show.
   */
  static ProcessBuilder restoreCli(String container, String command, String marker, String password) {
    List<String> cmd = new ArrayList<>(List.of("docker", "exec", "-i"));
    if (password != null) {
      cmd.addAll(List.of("-e", BackupSettings.PASSWORD_VARIABLE));
    }
    cmd.addAll(List.of(container, "sh", "-c", command, marker));
    return new ProcessBuilder(cmd);
  }

  /**
   * Puts the password that {@link #restoreCli}'s `-e` forwards into the CLI's environment. Called
   * after configureForwardedCli, which replaces the whole environment with the allowlisted one.
   */
  static ProcessBuilder withPassword(ProcessBuilder builder, String password) {
    if (password != null) {
      builder.environment().put(BackupSettings.PASSWORD_VARIABLE, password);
    }
    return builder;
  }

  /**
   * Restores through the `docker exec -i` CLI: docker-java's exec never half-closes stdin over
   * HTTP, so the restore command would wait for the end of its input forever.
   */
  @Override
  public BackupOutcome restore(Target target, String command, Copy copy, String sha256) {
    try {
      long started = System.nanoTime();
      String refused = BackupFormat.refusal(copy.store(), copy.name(), sha256, copy.key());
      if (refused != null) {
        return BackupOutcome.failed(refused);
      }
      LOG.info("restore from {}: SHA-256 checked in {} ms", copy.where(), (System.nanoTime() - started) / 1_000_000);
      DockerClient client = client(target, DockerHosts.Purpose.API);
      return restoreInto(target, client, container(client, target), command, copy);
    } catch (BackupException e) {
      // Nothing has run yet: the database is untouched, so an engine fault here may be retried.
      return e.outcome();
    } catch (IOException | RuntimeException e) {
      return BackupOutcome.failed("the restore could not run: " + Failures.rootMessage(e));
    }
  }

  /**
   * Feeds the dump to {@code command} through `docker exec -i`, all of it under the target's
   * timeout: a command that hangs (or stops reading) is killed, in the container too.
   */
  private BackupOutcome restoreInto(Target target, DockerClient client, String container, String command, Copy copy) {
    // The extra argument becomes the shell's $0: it finds this exec again if it must be killed.
    String marker = "backstop-restore-" + UUID.randomUUID();
    try {
      ProcessBuilder builder = restoreCli(container, command, marker, target.password()).redirectErrorStream(true);
      // DOCKER_HOST plus, for TLS hosts, the certificate directory; ssh:// through the forward.
      hosts.configureForwardedCli(target.dockerHost(), builder);
      withPassword(builder, target.password());
      Process p = builder.start();
      Tail output = new Tail(p.getInputStream());
      output.start();
      // Streams the stored backup, opened and decrypted, into the command's stdin; read ahead so
      // that fetching and decompressing go on while the command's pipe is full.
      Pump feed = new Pump("restore-input",
          () -> new ReadAhead(BackupFormat.open(copy.store().open(copy.name()), copy.key(), copy.where())),
          p.getOutputStream());
      feed.start();
      if (!p.waitFor(target.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        String killed = ExecProcesses.killMarked(client, target.dockerHost(), container, marker);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        feed.join(DRAIN.toMillis());
        output.join(DRAIN.toMillis());
        return BackupOutcome.failed("`" + command + "` did not finish within the " + Durations.format(target.timeout())
            + " spec.backup.timeout and was stopped" + killed + tail(output.text()) + PARTLY);
      }
      int exit = p.exitValue();
      feed.join(DRAIN.toMillis());
      output.join(DRAIN.toMillis());
      if (exit != 0) {
        return BackupOutcome.failed("`" + command + "` exited with " + exit + tail(output.text()) + PARTLY);
      }
      if (feed.error() != null) {
        // The command may have quit early (broken pipe) or been killed; its exit says why.
        return BackupOutcome.failed("the dump could not be fed to `" + command + "`: " + Failures.rootMessage(feed.error())
            + PARTLY);
      }
      return BackupOutcome.restored();
    } catch (ComposeException e) {
      return BackupOutcome.failed(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BackupOutcome.failed("the restore was interrupted" + PARTLY);
    } catch (IOException | RuntimeException e) {
      return BackupOutcome.failed("the restore could not run: " + Failures.rootMessage(e));
    }
  }

  /**
   * The drill container copies the service container's image (by id), command, entrypoint, user,
   * environment and healthcheck, so it initialises the same users and databases, but gets no
   * network and no mounts: it cannot reach or touch anything of the running stack.
   */
  @Override
  public BackupOutcome drill(Target target, String restoreCommand, String verifyCommand, Copy copy, String sha256) {
    DockerClient client;
    String drill = null;
    try {
      String refused = BackupFormat.refusal(copy.store(), copy.name(), sha256, copy.key());
      if (refused != null) {
        return BackupOutcome.failed(refused);
      }
      client = client(target, DockerHosts.Purpose.LONG_CALL);
      InspectContainerResponse source = client.inspectContainerCmd(container(client, target)).exec();
      ContainerConfig config = source.getConfig();
      HealthCheck health = config.getHealthcheck();
      if (health == null || health.getTest() == null || health.getTest().isEmpty()
          || "NONE".equals(health.getTest().get(0))) {
        return BackupOutcome.failed("the drill needs a healthcheck on service " + target.service()
            + " (in its image or compose file) to know when the throwaway database is ready");
      }
      CreateContainerCmd create = client.createContainerCmd(source.getImageId())
          .withName("backstop-drill-" + target.project() + "-" + UUID.randomUUID().toString().substring(0, 8))
          .withHealthcheck(health)
          .withLabels(Map.of(DRILL_LABEL, target.project() + "/" + target.service()))
          .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"));
      // docker-java refuses nulls here; unset means the image's own.
      if (config.getEnv() != null) {
        create.withEnv(config.getEnv());
      }
      if (config.getCmd() != null) {
        create.withCmd(config.getCmd());
      }
      if (config.getEntrypoint() != null) {
        create.withEntrypoint(config.getEntrypoint());
      }
      if (config.getUser() != null && !config.getUser().isEmpty()) {
        create.withUser(config.getUser());
      }
      drill = create.exec().getId();
      client.startContainerCmd(drill).exec();
      String unready = awaitHealthy(client, drill);
      if (unready != null) {
        return BackupOutcome.failed("the throwaway " + target.service() + " container " + unready);
      }
      BackupOutcome restored = restoreInto(target, client, drill, restoreCommand, copy);
      if (!restored.ok()) {
        return BackupOutcome.failed("restoring it into a throwaway " + target.service() + " container failed: "
            + restored.message().replace(PARTLY, ""));
      }
      return verify(client, target, drill, verifyCommand);
    } catch (BackupException e) {
      return e.outcome();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BackupOutcome.failed("the drill was interrupted");
    } catch (IOException | RuntimeException e) {
      return BackupOutcome.failed("the drill could not run: " + Failures.rootMessage(e));
    } finally {
      if (drill != null) {
        removeDrill(target, drill);
      }
    }
  }

  private void removeDrill(Target target, String drill) {
    try {
      client(target, DockerHosts.Purpose.API).removeContainerCmd(drill).withForce(true).withRemoveVolumes(true).exec();
    } catch (BackupException | RuntimeException e) {
      LOG.warn("cannot remove drill container {} (label {}): {}", drill, DRILL_LABEL, Failures.rootMessage(e));
    }
  }

  /** Null once healthy; else what went wrong, in words. */
  private static String awaitHealthy(DockerClient client, String container) throws InterruptedException {
    long deadline = System.nanoTime() + DRILL_READY.toNanos();
    while (System.nanoTime() < deadline) {
      InspectContainerResponse.ContainerState state = client.inspectContainerCmd(container).exec().getState();
      if (!Boolean.TRUE.equals(state.getRunning())) {
        return "exited with " + state.getExitCodeLong() + " before it was ready";
      }
      String status = state.getHealth() == null ? null : state.getHealth().getStatus();
      if ("healthy".equals(status)) {
        return null;
      }
      if ("unhealthy".equals(status)) {
        return "became unhealthy before anything was restored";
      }
      Thread.sleep(250);
    }
    return "was not healthy within " + DRILL_READY.toSeconds() + " s";
  }

  private BackupOutcome verify(DockerClient client, Target target, String container, String command)
      throws IOException, InterruptedException {
    String execId = exec(client, container, command, target.password());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ExecOutput callback = client.execStartCmd(execId).exec(new ExecOutput(out));
    if (!callback.awaitCompletion(target.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      String killed = ExecProcesses.kill(client, target.dockerHost(), execId);
      callback.close();
      return BackupOutcome.failed("the integrity check `" + command + "` did not finish within the "
          + Durations.format(target.timeout()) + " spec.backup.timeout and was stopped" + killed);
    }
    if (callback.readError != null) {
      return BackupOutcome.failed("the integrity check `" + command + "` broke off: "
          + Failures.rootMessage(callback.readError));
    }
    long exit = exitCode(client, execId);
    String printed = out.toString(StandardCharsets.UTF_8).strip();
    if (exit != 0) {
      return BackupOutcome.failed("the integrity check `" + command + "` exited with " + exit
          + tail(callback.stderr() + " " + printed));
    }
    String found = printed.length() > 300 ? printed.substring(0, 300) + "..." : printed;
    return BackupOutcome.restored().drilled(found.isEmpty() ? "integrity check passed" : found);
  }

  private String container(DockerClient client, Target target) throws BackupException {
    List<Container> found;
    try {
      found = client.listContainersCmd()
          .withLabelFilter(Map.of("com.docker.compose.project", target.project(),
              "com.docker.compose.service", target.service()))
          .exec();
    } catch (RuntimeException e) {
      throw new BackupException(Reason.DockerUnavailable, hosts.unreachable(target.dockerHost(), e).getMessage());
    }
    // listContainers without showAll lists running containers only. A container gone (killed from
    // outside, restarting by policy, its engine restarted) is the host's trouble, not the backup's.
    if (found.isEmpty()) {
      throw new BackupException(Reason.DockerUnavailable, "the database service " + target.service() + " of project "
          + target.project() + " is not running (its container is gone or restarting)");
    }
    return found.get(0).getId();
  }

  private static long exitCode(DockerClient client, String execId) throws InterruptedException {
    // The attach stream can end a moment before the engine records the exit code.
    for (int i = 0; i < 50; i++) {
      InspectExecResponse r = client.inspectExecCmd(execId).exec();
      if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
        return r.getExitCodeLong();
      }
      Thread.sleep(100);
    }
    return -1;
  }

  private static String tail(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return "";
    }
    return ": " + (t.length() > 500 ? "..." + t.substring(t.length() - 500) : t);
  }

  // The shared client: never closed here, DockerHosts owns it.
  private DockerClient client(Target target, DockerHosts.Purpose purpose) throws BackupException {
    try {
      return hosts.client(target.dockerHost(), purpose);
    } catch (ComposeException e) {
      throw new BackupException(e.engineFault() == null ? null : e.engineFault().reason(), e.getMessage());
    }
  }

  /** A full disk (ENOSPC) on the Backstop host: the host's trouble, retried. */
  private static boolean diskFull(IOException e) {
    return EngineFault.in(Failures.rootMessage(e), false) == EngineFault.DISK_FULL;
  }

  private static boolean running(DockerClient client, String container) {
    try {
      return Boolean.TRUE.equals(client.inspectContainerCmd(container).exec().getState().getRunning());
    } catch (RuntimeException e) {
      // Gone altogether, or the engine with it.
      return false;
    }
  }

  /**
   * Writes an exec's stdout into a stream on docker-java's reader thread and keeps the end of its
   * stderr. A failed write stops the stream ({@code writeError}); a stream that breaks otherwise
   * is the engine's ({@code readError}).
   */
  private static final class ExecOutput extends ResultCallback.Adapter<Frame> {
    private final OutputStream out;
    private final StringBuilder stderr = new StringBuilder();
    volatile long bytes;
    volatile IOException writeError;
    volatile Throwable readError;

    ExecOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void onNext(Frame frame) {
      if (writeError != null) {
        return;
      }
      byte[] payload = frame.getPayload();
      if (frame.getStreamType() == StreamType.STDERR) {
        synchronized (stderr) {
          stderr.append(new String(payload, StandardCharsets.UTF_8));
          if (stderr.length() > STDERR_KEEP) {
            stderr.delete(0, stderr.length() - STDERR_KEEP);
          }
        }
        return;
      }
      try {
        out.write(payload);
        bytes += payload.length;
      } catch (IOException e) {
        writeError = e;
        // Ends the wait at once: the command is then stopped rather than left on a full socket.
        onComplete();
      }
    }

    // Kept for the caller to class, instead of the template's ERROR log and a rethrow from
    // awaitCompletion; closing the stream after a failed write or the deadline lands here too.
    @Override
    public void onError(Throwable throwable) {
      if (writeError == null && readError == null) {
        readError = throwable;
      }
      onComplete();
    }

    String stderr() {
      synchronized (stderr) {
        return stderr.toString();
      }
    }
  }

  /**
   * Feeds a restore's input on its own thread, so the caller can hold the deadline; stops reading
   * at the first failed write, and closes the command's stdin at the end either way.
   */
  private static final class Pump extends Thread {
    /** Where the bytes come from, opened on the pump's thread. */
    interface Source {
      InputStream open() throws IOException;
    }

    private final Source source;
    private final OutputStream out;
    volatile IOException readError;
    volatile IOException writeError;

    Pump(String name, Source source, OutputStream out) {
      super(name);
      setDaemon(true);
      this.source = source;
      this.out = out;
    }

    @Override
    public void run() {
      try (InputStream in = source.open()) {
        byte[] buf = new byte[BUFFER];
        for (int r; (r = readFrom(in, buf)) >= 0; ) {
          out.write(buf, 0, r);
        }
      } catch (IOException e) {
        if (readError == null) {
          writeError = e;
        }
      } finally {
        closeOut();
      }
    }

    /** What broke the copy, or null when it ran to the end of its source. */
    IOException error() {
      return readError != null ? readError : writeError;
    }

    // -1 at the end or when reading broke (a damaged or unreachable backup); readError says which.
    private int readFrom(InputStream in, byte[] buf) {
      try {
        return in.read(buf);
      } catch (IOException e) {
        readError = e;
        return -1;
      }
    }

    private void closeOut() {
      try {
        // The end of the input is what tells a restore command to finish.
        out.close();
      } catch (IOException e) {
        if (error() == null) {
          writeError = e;
        }
      }
    }
  }

  /** Reads a process's output in the background, keeping only the end. */
  private static final class Tail extends Thread {
    private final InputStream in;
    private final StringBuilder kept = new StringBuilder();

    Tail(InputStream in) {
      super("restore-output");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (kept) {
            kept.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (kept.length() > STDERR_KEEP) {
              kept.delete(0, kept.length() - STDERR_KEEP);
            }
          }
        }
      } catch (IOException e) {
        // The process ended; what was read is enough.
      }
    }

    String text() {
      synchronized (kept) {
        return kept.toString();
      }
    }
  }

  /** A failure with a message for people; {@code engineFault} non-null when it is the engine's. */
  static final class BackupException extends Exception {
    final Reason engineFault;

    BackupException(String message) {
      this(null, message);
    }

    BackupException(Reason engineFault, String message) {
      super(message);
      this.engineFault = engineFault;
    }

    BackupOutcome outcome() {
      return engineFault != null ? BackupOutcome.engineFailed(engineFault, getMessage())
          : BackupOutcome.failed(getMessage());
    }
  }
}
