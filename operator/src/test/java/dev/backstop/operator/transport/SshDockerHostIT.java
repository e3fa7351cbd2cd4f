package dev.backstop.operator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.ZstdInputStream;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerContainerObserver;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.ContainerEvents;
import dev.backstop.operator.compose.DockerContainerEvents;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.BackupOutcome;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code ssh://} Docker host: a real sshd on loopback whose user reaches this machine's engine
 * socket, observed through Backstop's managed {@code ssh -L} forward. The containers are started by
 * the local compose CLI: its ssh:// path is Docker's own and uses the operator user's ~/.ssh, which
 * a test must not touch.
 */
class SshDockerHostIT {

  private static final String PROJECT = "sshobserve";

  @TempDir static Path tmp;
  private static TestSshd sshd;
  private static String host;
  private static Path knownHosts;
  private static Path wrongKnownHosts;
  private static final DockerComposeCli CLI = new DockerComposeCli(Duration.ofSeconds(60));
  private static ComposeProject project;

  @BeforeAll
  static void start() throws Exception {
    sshd = TestSshd.start(Files.createDirectories(tmp.resolve("sshd")));
    host = "ssh://root@127.0.0.1:" + sshd.port;
    knownHosts = Files.writeString(tmp.resolve("known_hosts"), sshd.knownHosts);
    wrongKnownHosts = Files.writeString(tmp.resolve("wrong_known_hosts"), sshd.wrongKnownHosts);
    Path dir = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(
        dir.resolve("compose.yaml"),
        """
        services:
          app:
            image: busybox:1.36
            command: ["sleep", "300"]
            network_mode: none
            init: true
            stop_grace_period: 1s
        """);
    project = new ComposeProject(PROJECT, dir, List.of("compose.yaml"), List.of(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (project != null) {
        CLI.down(project, true);
      }
    } finally {
      if (sshd != null) {
        sshd.close();
      }
    }
  }

  private final DockerHosts hosts = new DockerHosts();

  @AfterEach
  void closeHosts() {
    hosts.close();
  }

  private DockerEndpoint endpoint(String dockerHost) {
    return hosts.endpoint("it/ssh", dockerHost);
  }

  @Test
  void observerSeesTheContainersThroughTheForwardAndStopsItOnClose() throws Exception {
    hosts.useSsh(host, sshd.clientKey, knownHosts);
    CLI.upFromHostImages(project);
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(observer.containers(PROJECT, endpoint(host)))
                      .singleElement()
                      .satisfies(
                          c -> {
                            assertThat(c.service()).isEqualTo("app");
                            assertThat(c.state()).isEqualTo("running");
                            assertThat(c.image()).isEqualTo("busybox:1.36");
                          }));
      assertThat(sshd.log()).contains("Accepted publickey for root");
      Optional<ProcessHandle> forward = sshForwardsTo(sshd.port);
      assertThat(forward).as("the managed ssh -L process").isPresent();

      // A forward that died is restarted on the next call.
      forward.get().destroyForcibly();
      await().atMost(Duration.ofSeconds(10)).until(() -> !forward.get().isAlive());
      assertThat(observer.containers(PROJECT, endpoint(host))).hasSize(1);
      assertThat(sshForwardsTo(sshd.port)).isPresent().get().isNotEqualTo(forward.get());
    } finally {
      hosts.close();
    }
    assertThat(sshForwardsTo(sshd.port)).as("ssh forwards after close").isEmpty();
  }

  @Test
  void aKeyTheServerRefusesIsUnavailableWithoutShowingTheKey() throws Exception {
    hosts.useSsh(host, sshd.strangerKey, knownHosts);
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    {
      ComposeException e =
          catchThrowableOfType(() -> observer.containers(PROJECT, endpoint(host)), ComposeException.class);
      assertThat(e.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
      assertThat(e.getMessage())
          .isEqualTo(
              "cannot reach the Docker engine at "
                  + host
                  + ": the SSH server refused the key for user 'root'; authorize the operator's key"
                  + " there")
          .doesNotContain(keyBody(sshd.strangerKey))
          .doesNotContain("PRIVATE KEY");
    }
    assertThat(sshForwardsTo(sshd.port)).isEmpty();
  }

  @Test
  void anUnknownHostKeyIsUnavailableBeforeLoggingIn() throws Exception {
    hosts.useSsh(host, sshd.clientKey, wrongKnownHosts);
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    {
      ComposeException e =
          catchThrowableOfType(() -> observer.containers(PROJECT, endpoint(host)), ComposeException.class);
      assertThat(e.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
      assertThat(e.getMessage())
          .startsWith("cannot reach the Docker engine at " + host)
          .contains("host key is unknown or does not match known_hosts");
    }
  }

  @Test
  void aClosedPortIsUnavailable() throws Exception {
    String closed = "ssh://root@127.0.0.1:" + Processes.freePort();
    hosts.useSsh(closed, sshd.clientKey, knownHosts);
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    {
      ComposeException e =
          catchThrowableOfType(() -> observer.containers(PROJECT, endpoint(closed)), ComposeException.class);
      assertThat(e.kind()).isEqualTo(ComposeException.Kind.UNAVAILABLE);
      assertThat(e.getMessage())
          .isEqualTo(
              "cannot reach the Docker engine at " + closed + ": cannot connect to its SSH server");
    }
  }

  @Test
  void observerEventsAndBackupsShareOneForwardAndABackupRoundTripsOverIt() throws Exception {
    hosts.useSsh(host, sshd.clientKey, knownHosts);
    CLI.upFromHostImages(project);
    DockerEndpoint web = hosts.endpoint("it/web", host);
    DockerEndpoint jobs = hosts.endpoint("it/jobs", host);
    DockerContainerObserver observer = new DockerContainerObserver(hosts);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(observer.containers(PROJECT, web)).hasSize(1));

    List<String> events = new CopyOnWriteArrayList<>();
    DockerContainerEvents stream = new DockerContainerEvents(hosts);
    ContainerEvents.Subscription sub = stream.subscribe(PROJECT, jobs, events::add);
    DockerDatabaseBackups backups = new DockerDatabaseBackups(hosts);
    DatabaseBackups.Target target = new DatabaseBackups.Target(PROJECT, "app", jobs);
    Path file = tmp.resolve("backups/ssh.sql.gz");
    try {
      BackupOutcome dumped = backups.dump(target, "echo 'row over ssh'; echo 'second row'", file);
      assertThat(dumped.ok()).as(dumped.toString()).isTrue();
      try (ZstdInputStream in = new ZstdInputStream(Files.newInputStream(file))) {
        assertThat(new String(in.readAllBytes())).isEqualTo("row over ssh\nsecond row\n");
      }
      // The restore feeds the file to `docker exec -i` through the same forward.
      BackupOutcome restored =
          backups.restore(target, "cat > /restored.txt", file, dumped.sha256());
      assertThat(restored.ok()).as(restored.toString()).isTrue();
      Path check = tmp.resolve("backups/check.sql.gz");
      BackupOutcome readBack = backups.dump(target, "cat /restored.txt", check);
      assertThat(readBack.ok()).as(readBack.toString()).isTrue();
      try (ZstdInputStream in = new ZstdInputStream(Files.newInputStream(check))) {
        assertThat(new String(in.readAllBytes())).isEqualTo("row over ssh\nsecond row\n");
      }

      // An exec'd process exiting is a container event only for die/oom/health, so kill the app.
      CLI.down(project, true);
      await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(e -> e.endsWith(" die")));
      assertThat(allSshForwardsTo(sshd.port)).as("one ssh -L for observer, events and backups").hasSize(1);
    } finally {
      sub.close();
      stream.close();
    }
    hosts.forget("it/web");
    assertThat(allSshForwardsTo(sshd.port)).as("it/jobs still names the host").hasSize(1);
    hosts.forget("it/jobs");
    await().atMost(Duration.ofSeconds(10)).until(() -> allSshForwardsTo(sshd.port).isEmpty());
  }

  private static List<ProcessHandle> allSshForwardsTo(int port) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.isAlive())
        .filter(p -> p.info().command().map(c -> c.endsWith("/ssh")).orElse(false))
        .filter(p -> p.info().arguments()
            .map(a -> String.join(" ", a).contains("-p " + port + " -L ")).orElse(false))
        .toList();
  }

  // The ssh client processes forwarding to this test's sshd, found by their command line.
  private static Optional<ProcessHandle> sshForwardsTo(int port) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.isAlive())
        .filter(p -> p.info().command().map(c -> c.endsWith("/ssh")).orElse(false))
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(a -> String.join(" ", a).contains("-p " + port + " -L "))
                    .orElse(false))
        .findFirst();
  }

  private static String keyBody(Path key) throws Exception {
    return Files.readString(key).lines().skip(1).findFirst().orElseThrow();
  }
}
