package dev.backstop.operator.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One git cache, many tenants: a private repository fetched by one release with its Secret is
 * never served to a release without that access, not from the cache and not after a failed fetch.
 */
class GitCacheTenancyTest {

  private static final String TOKEN = "t0ken-of-team-a";
  private static final GitCredentials TEAM_A = GitCredentials.basic("deployer", TOKEN);

  @TempDir Path tmp;
  private AuthGitServer server;
  private RevCommit commit;
  private JGitSourceRepository cache;

  @BeforeEach
  void privateRepository() throws Exception {
    Path remote = tmp.resolve("remote");
    try (Git git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call()) {
      Files.writeString(remote.resolve("compose.yaml"), "services: {}\n");
      git.add().addFilepattern(".").call();
      commit = git.commit().setMessage("private code").setSign(false)
          .setAuthor(new PersonIdent("T", "t@example.com")).setCommitter(new PersonIdent("T", "t@example.com"))
          .call();
    }
    server = new AuthGitServer(remote, "deployer", TOKEN);
    cache = new JGitSourceRepository(tmp.resolve("git-cache"), name -> null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anotherNamespaceWithoutTheSecretCannotResolveOrCheckOutTheCachedRepository() throws Exception {
    String url = server.url();
    assertThat(cache.resolve("team-a/app", url, "main", true, TEAM_A)).isEqualTo(commit.name());
    assertThat(cache.checkout(url, commit.name(), tmp.resolve("a"), TEAM_A).resolve("compose.yaml")).exists();

    // No Secret: the fetch fails, and the resolves after it (no fetch asked) fail as well.
    for (boolean fetch : new boolean[] {true, false, false}) {
      SourceException e = catchThrowableOfType(
          () -> cache.resolve("team-b/thief", url, "main", fetch, null), SourceException.class);
      assertThat(e).as("fetch=%s", fetch).isNotNull();
      assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    }
    // A wrong token, and the URL with a made-up user: neither reaches team-a's cache.
    GitCredentials wrong = GitCredentials.basic("deployer", "guessed");
    for (boolean fetch : new boolean[] {true, false}) {
      assertThat(catchThrowableOfType(() -> cache.resolve("team-b/thief", url, "main", fetch, wrong),
          SourceException.class)).isNotNull();
    }
    String withUser = url.replace("http://", "http://deployer@");
    assertThat(catchThrowableOfType(() -> cache.resolve("team-b/thief", withUser, "main", false, null),
        SourceException.class)).isNotNull();
    // Checking out the commit by its SHA without the Secret finds no cache that holds it.
    SourceException checkout = catchThrowableOfType(
        () -> cache.checkout(url, commit.name(), tmp.resolve("b"), null), SourceException.class);
    assertThat(checkout).isNotNull();
    assertThat(tmp.resolve("b").resolve(commit.name())).doesNotExist();

    assertThat(cache.cacheDir(url, TEAM_A)).isNotEqualTo(cache.cacheDir(url, null))
        .isNotEqualTo(cache.cacheDir(url, wrong));
    try (Stream<Path> dirs = Files.list(tmp.resolve("git-cache"))) {
      assertThat(dirs.map(p -> p.getFileName().toString()))
          .allSatisfy(name -> assertThat(name).doesNotContain(TOKEN).doesNotContain("guessed"));
    }
  }

  @Test
  void aRepositoryThatTurnedPrivateIsNotServedFromTheCacheToAReleaseWhoseFetchFailed() throws Exception {
    String url = server.url();
    server.makePublic(true);
    assertThat(cache.resolve("team-a/app", url, "main", true, null)).isEqualTo(commit.name());
    server.makePublic(false);

    // team-b names the same URL with no Secret: one failed fetch, then no-fetch resolves must fail
    // too, although an anonymous cache of that URL exists.
    assertThat(catchThrowableOfType(() -> cache.resolve("team-b/app", url, "main", true, null),
        SourceException.class)).isNotNull();
    assertThat(catchThrowableOfType(() -> cache.resolve("team-b/app", url, "main", false, null),
        SourceException.class)).isNotNull();
    // A release that never resolved before (e.g. after an operator restart) fetches first.
    assertThat(catchThrowableOfType(() -> cache.resolve("team-c/app", url, "main", false, null),
        SourceException.class)).isNotNull();
    // The release that fetched it while it was readable keeps its stale cache between polls.
    assertThat(cache.resolve("team-a/app", url, "main", false, null)).isEqualTo(commit.name());
  }

  @Test
  void twoReleasesWithTheSameSecretShareOneCacheYetEachFetchesOnce() throws Exception {
    String url = server.url();
    assertThat(cache.resolve("team-a/one", url, "main", true, TEAM_A)).isEqualTo(commit.name());
    int fetches = server.fetches();
    assertThat(cache.resolve("team-a/one", url, "main", false, TEAM_A)).isEqualTo(commit.name());
    assertThat(server.fetches()).as("a verified release resolves from its cache").isEqualTo(fetches);
    assertThat(cache.resolve("team-a/two", url, "main", false, TEAM_A)).isEqualTo(commit.name());
    assertThat(server.fetches()).as("a new release fetches before it is served").isEqualTo(fetches + 1);
    try (Stream<Path> dirs = Files.list(tmp.resolve("git-cache"))) {
      assertThat(dirs.filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(1);
    }
  }
}
