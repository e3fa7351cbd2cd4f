package dev.backstop.operator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Git over ssh:// with a key and known_hosts as a Secret holds them, against a real sshd. */
class SshGitIT {

  // No BACKSTOP_GIT_TOKEN or username from the environment: only the Secret counts.
  private static final Function<String, String> NO_ENV = name -> null;

  @TempDir static Path tmp;
  private static TestSshd sshd;
  private static String url;
  private static String head;

  @TempDir Path cache;

  @BeforeAll
  static void start() throws Exception {
    sshd = TestSshd.start(Files.createDirectories(tmp.resolve("sshd")));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Processes.run(work, List.of("git", "init", "-q", "-b", "main"));
    Files.writeString(work.resolve("compose.yaml"), "services: {}\n");
    Processes.run(work, List.of("git", "add", "."));
    Processes.run(work, List.of("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"));
    Processes.run(work, List.of("git", "tag", "v1"));
    head = Processes.run(work, List.of("git", "rev-parse", "HEAD")).strip();
    Path bare = tmp.resolve("remote.git");
    Processes.run(tmp, List.of("git", "clone", "-q", "--bare", work.toString(), bare.toString()));
    url = "ssh://root@127.0.0.1:" + sshd.port + bare;
  }

  @AfterAll
  static void stop() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
  }

  @Test
  void fetchesWithTheSecretsKeyAndKnownHostsAndLeavesNoKeyOnDisk() throws Exception {
    JGitSourceRepository repo = new JGitSourceRepository(cache, NO_ENV);

    assertThat(repo.resolve(url, "v1", true, secret(sshd.clientKey, sshd.knownHosts))).isEqualTo(head);
    assertThat(repo.checkout(url, head, cache.resolve("checkouts"), secret(sshd.clientKey, sshd.knownHosts)))
        .isDirectoryContaining(p -> p.getFileName().toString().equals("compose.yaml"));
    assertThat(sshd.log()).contains("Accepted publickey for root");
    // The key lived only as long as the fetch.
    try (Stream<Path> files = Files.walk(cache)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith(".ssh-"))).isEmpty();
    }
  }

  @Test
  void withoutKnownHostsTheHostIsRefusedBeforeConnecting() throws Exception {
    JGitSourceRepository repo = new JGitSourceRepository(cache, NO_ENV);
    String before = sshd.log();

    SourceException e = catchThrowableOfType(
        () -> repo.resolve(url, "v1", true, secret(sshd.clientKey, null)), SourceException.class);

    assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("no known_hosts", "unknown hosts are refused", "ssh-keyscan");
    assertThat(sshd.log()).isEqualTo(before);
  }

  @Test
  void aHostKeyOtherThanKnownHostsSaysIsRefused() throws Exception {
    JGitSourceRepository repo = new JGitSourceRepository(cache, NO_ENV);
    GitCredentials credentials = secret(sshd.clientKey, sshd.wrongKnownHosts);

    SourceException e = catchThrowableOfType(() -> repo.resolve(url, "v1", true, credentials), SourceException.class);

    assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    assertThat(e.getMessage()).containsIgnoringCase("host key");
    assertNoSecretIn(e.getMessage(), credentials);
  }

  @Test
  void aKeyTheServerDoesNotAcceptFailsWithoutShowingIt() throws Exception {
    JGitSourceRepository repo = new JGitSourceRepository(cache, NO_ENV);
    GitCredentials credentials = secret(sshd.strangerKey, sshd.knownHosts);

    SourceException e = catchThrowableOfType(() -> repo.resolve(url, "v1", true, credentials), SourceException.class);

    assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    assertThat(e.getMessage()).containsIgnoringCase("auth");
    assertNoSecretIn(e.getMessage(), credentials);
    assertThat(credentials.toString()).doesNotContain("PRIVATE KEY");
  }

  private static GitCredentials secret(Path key, String knownHosts) throws Exception {
    return new GitCredentials(null, null, Files.readString(key), knownHosts);
  }

  private static void assertNoSecretIn(String message, GitCredentials credentials) {
    assertThat(message).doesNotContain("PRIVATE KEY");
    credentials.sshPrivateKey().lines().skip(1).limit(3).forEach(line -> assertThat(message).doesNotContain(line));
  }
}
