package dev.backstop.operator.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.backstop.operator.it.SilentPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FileUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote going away, a force-pushed branch and a deleted tag, on real repositories: the fetch
 * problem is reported, and every commit deployed before can still be checked out for a rollback.
 */
class GitFaultsTest {

  private static final PersonIdent AUTHOR = new PersonIdent("Test", "test@example.com");

  @TempDir Path tmp;
  private Path remote;
  private Path checkouts;
  private String url;
  private Git git;
  private RevCommit good;
  private RevCommit next;
  private JGitSourceRepository source;

  @BeforeEach
  void deployedTwoCommits() throws Exception {
    remote = tmp.resolve("remote");
    checkouts = tmp.resolve("releases");
    url = remote.toUri().toString();
    git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call();
    good = commit("compose.yaml", "services: {web: {image: busybox:1.36}}\n", "good");
    git.tag().setName("v1").setObjectId(good).call();
    next = commit("compose.yaml", "services: {web: {image: busybox:1.36, command: [sleep, '1']}}\n", "next");
    source = new JGitSourceRepository(tmp.resolve("git-cache"), name -> null);
    assertThat(source.resolve(url, "v1", true, null)).isEqualTo(good.name());
    source.checkout(url, good.name(), checkouts, null);
    assertThat(source.resolve(url, "main", true, null)).isEqualTo(next.name());
  }

  @AfterEach
  void close() {
    git.close();
  }

  @Test
  void aDeletedRemoteFailsTheFetchWithItsReasonButTheCacheStillResolvesAndChecksOut() throws Exception {
    git.close();
    FileUtils.delete(remote.toFile(), FileUtils.RECURSIVE);

    SourceException fetch = catchThrowableOfType(
        () -> source.resolve(url, "main", true, null), SourceException.class);
    assertThat(fetch.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    assertThat(fetch.getMessage()).contains("remote");

    // After a failed fetch the cache does not vouch for the ref (a tenant must prove its access by
    // fetching: GitCacheTenancyTest), so resolving names the fetch problem again rather than a
    // stale answer; the running stack is untouched by that, and a rollback target still checks
    // out from the cache with no network.
    assertThat(catchThrowableOfType(() -> source.resolve(url, "main", false, null), SourceException.class)
        .kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    Path rollback = source.checkout(url, good.name(), checkouts, null);
    assertThat(Files.readString(rollback.resolve("compose.yaml"))).contains("busybox:1.36");
    // A commit fetched before but never checked out comes from the cache too, no network needed.
    Path never = source.checkout(url, next.name(), checkouts, null);
    assertThat(Files.readString(never.resolve("compose.yaml"))).contains("sleep");
  }

  @Test
  void aForcePushedBranchMovesTheRefAndTheOldCommitStaysCheckoutable() throws Exception {
    git.reset().setMode(ResetCommand.ResetType.HARD).setRef(good.name()).call();
    RevCommit rewritten = commit("compose.yaml", "services: {web: {image: busybox:1.36, user: '1'}}\n", "rewritten");

    assertThat(source.resolve(url, "main", true, null)).isEqualTo(rewritten.name());
    // `next` is no longer on any branch of the remote, yet what was deployed can be run again.
    Path old = source.checkout(url, next.name(), checkouts, null);
    assertThat(Files.readString(old.resolve("compose.yaml"))).contains("sleep");
    assertThat(source.checkout(url, good.name(), checkouts, null)).isDirectory();
  }

  @Test
  void aDeletedTagIsRefNotFoundAfterASuccessfulFetchAndItsCommitStaysCheckoutable() throws Exception {
    git.tagDelete().setTags("v1").call();

    SourceException gone = catchThrowableOfType(
        () -> source.resolve(url, "v1", true, null), SourceException.class);
    assertThat(gone.kind()).isEqualTo(SourceException.Kind.REF_NOT_FOUND);
    assertThat(gone.getMessage()).contains("v1");
    assertThat(source.checkout(url, good.name(), checkouts, null).resolve("compose.yaml")).isRegularFile();
  }

  private RevCommit commit(String path, String content, String message) throws Exception {
    Files.writeString(remote.resolve(path), content);
    git.add().addFilepattern(path).call();
    return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
  }

  @Test
  void aRemoteThatAcceptsAndNeverAnswersIsCutOffAtTheFetchTimeoutAndTheCacheStillChecksOut() throws Exception {
    JGitSourceRepository hurried =
        new JGitSourceRepository(tmp.resolve("git-cache"), name -> null, Duration.ofSeconds(1));
    try (SilentPeer peer = SilentPeer.start()) {
      String hung = peer.url() + "/app.git";
      long start = System.nanoTime();
      SourceException fetch = catchThrowableOfType(
          () -> hurried.resolve(hung, "main", true, null), SourceException.class);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(fetch.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
      assertThat(fetch.getMessage()).contains("cannot fetch " + hung).containsIgnoringCase("timed out");
      assertThat(peer.accepted()).isPositive();
      // Without the transport timeout the clone waits for ever; slack for a loaded machine.
      assertThat(took).isLessThan(Duration.ofSeconds(20));
    }
    // The release's own commits stay at hand for a rollback while a remote hangs.
    Path rollback = hurried.checkout(url, good.name(), checkouts, null);
    assertThat(Files.readString(rollback.resolve("compose.yaml"))).contains("busybox:1.36");
  }
}
