package dev.backstop.operator.backup;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.BackupSettings;
import java.nio.file.Path;
import java.time.Duration;

/** Dumps a compose service's database into a file and restores it from one. */
public interface DatabaseBackups {

  /**
   * Where a command runs: the running container of {@code service} in compose project {@code project}.
   *
   * @param dockerHost how to reach the engine; null = the local one
   * @param timeout how long one dump, restore or drill may run before it is stopped
   */
  record Target(String project, String service, DockerEndpoint dockerHost, Duration timeout) {
    public Target {
      dockerHost = dockerHost == null ? DockerEndpoint.LOCAL : dockerHost;
      timeout = timeout == null ? BackupSettings.DEFAULT_TIMEOUT : timeout;
    }

    /** A target with the default spec.backup.timeout. */
    public Target(String project, String service, DockerEndpoint dockerHost) {
      this(project, service, dockerHost, null);
    }
  }

  /**
   * Runs {@code command} in the target and streams its stdout, gzip-compressed, into {@code file}
   * (written under a temporary name and renamed when complete).
   */
  BackupOutcome dump(Target target, String command, Path file);

  /**
   * Checks {@code file} against {@code sha256}, then streams it, decompressed, into the stdin of
   * {@code command} in the target.
   */
  BackupOutcome restore(Target target, String command, Path file, String sha256);

  /**
   * A restore drill: restores {@code file} (checked against {@code sha256}) with
   * {@code restoreCommand} into a throwaway container of the target's own image, without a
   * network, runs {@code verifyCommand} in it, and removes it. On success {@link BackupOutcome#drill()}
   * holds what the check printed.
   */
  default BackupOutcome drill(Target target, String restoreCommand, String verifyCommand, Path file, String sha256) {
    return BackupOutcome.failed("this backup backend cannot run restore drills");
  }
}
