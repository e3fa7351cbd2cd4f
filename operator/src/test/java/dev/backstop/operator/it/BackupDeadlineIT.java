package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.backup.DatabaseBackups.Target;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.BackupOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dumps and restores against a real container that misbehave: a command that hangs is stopped at
 * spec.backup.timeout, in the container too, and says what it leaves behind; a container gone
 * from under a dump is the engine's fault, a failing command the backup's own.
 */
class BackupDeadlineIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path tmp;
  private final String project = "bsdl" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerHosts hosts = new DockerHosts();
  private final DockerDatabaseBackups backups = new DockerDatabaseBackups(hosts);
  private Target target;

  @BeforeEach
  void up() throws Exception {
    // A stand-in database: busybox, its PID 1 an init so the container stops at once.
    Files.writeString(tmp.resolve("compose.yaml"), """
        services:
          db:
            image: busybox:1.36
            init: true
            command: ["sleep", "86400"]
            network_mode: none
        """);
    compose("up", "-d", "--wait");
    target = new Target(project, "db", null, TIMEOUT);
  }

  @AfterEach
  void down() throws Exception {
    compose("down", "-t", "1");
    hosts.close();
  }

  @Test
  void aRestoreThatHangsIsKilledAtItsTimeoutInTheContainerTooAndSaysTheDatabaseMayBePartlyRestored()
      throws Exception {
    Path file = dump("echo 'create table t (id int);'");

    long start = System.nanoTime();
    BackupOutcome outcome = backups.restore(target, "sleep 3600", file, BackupFiles.sha256(file));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(outcome.ok()).isFalse();
    assertThat(outcome.engineFault()).as("the command ran: retrying it is not safe").isNull();
    assertThat(outcome.message()).contains("`sleep 3600` did not finish within the 2.0s spec.backup.timeout",
        "it was killed", "the database may be partly restored");
    // Before: no deadline at all. Slack for a loaded machine.
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    awaitNoProcess("sleep 3600");
  }

  @Test
  void aRestoreThatStopsReadingIsKilledToo() throws Exception {
    // Over a pipe's worth of data that nobody reads: the feed must not hold the deadline up.
    Path file = dump("head -c 3000000 /dev/zero | tr '\\\\0' x");
    BackupOutcome outcome = backups.restore(target, "sleep 3601", file, BackupFiles.sha256(file));
    assertThat(outcome.message()).contains("did not finish within the 2.0s", "partly restored");
    awaitNoProcess("sleep 3601");
  }

  @Test
  void aDumpThatHangsIsKilledAtItsTimeoutAndNothingIsKept() throws Exception {
    Path file = tmp.resolve("backups").resolve("hung.sql.gz");
    BackupOutcome outcome = backups.dump(target, "echo partial; sleep 3602", file);

    assertThat(outcome.ok()).isFalse();
    assertThat(outcome.message()).contains("did not finish within the 2.0s spec.backup.timeout", "it was killed",
        "nothing was kept");
    assertThat(file).doesNotExist();
    assertThat(file.resolveSibling("hung.sql.gz.partial")).doesNotExist();
    awaitNoProcess("sleep 3602");
  }

  @Test
  void aContainerGoneIsTheEnginesFaultAndAFailingCommandTheBackupsOwn() throws Exception {
    Path file = tmp.resolve("backups").resolve("b.sql.gz");
    BackupOutcome failing = backups.dump(target, "echo 'role app does not exist' >&2; exit 3", file);
    assertThat(failing.engineFault()).isNull();
    assertThat(failing.message()).contains("exited with 3", "role app does not exist");

    // Killed from outside, no restart policy: the dump cannot run, and that is not its fault.
    DemoRepo.run(List.of("docker", "kill", project + "-db-1"), tmp);
    BackupOutcome gone = backups.dump(target, "echo data", file);
    assertThat(gone.ok()).isFalse();
    assertThat(gone.engineFault()).isEqualTo(Reason.DockerUnavailable);
    assertThat(gone.message()).contains("db", "not running");
    Path kept = dumpFile();
    BackupOutcome restore = backups.restore(target, "cat > /dev/null", kept, BackupFiles.sha256(kept));
    assertThat(restore.engineFault()).as("nothing was restored, so it may be retried").isEqualTo(Reason.DockerUnavailable);

    // An engine that cannot be reached is the engine's too, for a restore that never started.
    Target nowhere = new Target(project, "db", hosts.endpoint("t/x", "tcp://127.0.0.1:1"), TIMEOUT);
    BackupOutcome unreachable = backups.restore(nowhere, "cat > /dev/null", kept, BackupFiles.sha256(kept));
    assertThat(unreachable.engineFault()).isEqualTo(Reason.DockerUnavailable);
    assertThat(unreachable.message()).contains("127.0.0.1:1");
  }

  @Test
  void aFullDiskUnderTheBackupIsTheHostsFault() throws Exception {
    // A 256 KiB file system stands for a full disk; mounting one needs root, as on the CI machine.
    Path small = Files.createDirectories(tmp.resolve("small"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString())
        .redirectErrorStream(true).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (not root)");
    try {
      // Random bytes do not compress: 4 MB of them cannot fit.
      BackupOutcome full = backups.dump(target, "head -c 4000000 /dev/urandom", small.resolve("b.sql.gz"));
      assertThat(full.ok()).isFalse();
      assertThat(full.engineFault()).isEqualTo(Reason.DiskFull);
      assertThat(full.message()).containsIgnoringCase("no space left on device");
      try (var left = Files.list(small)) {
        assertThat(left.toList()).as("the partial dump is removed").isEmpty();
      }
    } finally {
      new ProcessBuilder("umount", small.toString()).start().waitFor();
    }
  }

  private Path dumpFile() throws Exception {
    Path file = tmp.resolve("kept.sql.gz");
    if (!Files.exists(file)) {
      try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
        out.write("select 1;\n".getBytes());
      }
    }
    return file;
  }

  private Path dump(String command) throws Exception {
    Path file = tmp.resolve("backups").resolve(UUID.randomUUID() + ".sql.gz");
    BackupOutcome written = backups.dump(new Target(project, "db", null, Duration.ofSeconds(60)), command, file);
    assertThat(written.ok()).as(written.message()).isTrue();
    return file;
  }

  private void awaitNoProcess(String command) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
        assertThat(DemoRepo.run(List.of("docker", "exec", project + "-db-1", "ps", "-o", "args"), tmp))
            .as("the command is gone from the container").doesNotContain(command));
  }

  private void compose(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("docker", "compose", "-p", project));
    command.addAll(List.of(args));
    DemoRepo.run(command, tmp);
  }
}
