package dev.backstop.operator.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.core.TagOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FileUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.source.tagBeforeDeploy against real repositories: tag in the cache, push, and a refused push. */
class PreDeployTagGitTest {

  private static final String TAG = "pre-deploy-20261201-235959";

  @TempDir Path tmp;

  private Path remote;
  private String url;
  private RevCommit first;
  private RevCommit second;
  private JGitSourceRepository source;

  @BeforeEach
  void createRemote() throws Exception {
    remote = tmp.resolve("remote");
    try (Git git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call()) {
      PersonIdent me = new PersonIdent("Test", "test@example.com");
      Files.writeString(remote.resolve("compose.yaml"), "services: {}\n");
      git.add().addFilepattern(".").call();
      first = git.commit().setMessage("first").setAuthor(me).setCommitter(me).setSign(false).call();
      Files.writeString(remote.resolve("compose.yaml"), "services: {web: {image: busybox}}\n");
      git.add().addFilepattern(".").call();
      second = git.commit().setMessage("second").setAuthor(me).setCommitter(me).setSign(false).call();
    }
    url = remote.toUri().toString();
    source = new JGitSourceRepository(tmp.resolve("git-cache"), name -> null);
    source.resolve(url, "main", true, null);
  }

  @Test
  void tagsTheCommitInTheCacheAndPushesIt() throws Exception {
    TagOutcome outcome = source.tag(url, first.name(), TAG, null);
    assertThat(outcome).isEqualTo(TagOutcome.pushed(true));
    assertThat(tagIn(source.cacheDir(url))).isEqualTo(first.name());
    assertThat(tagIn(remote.resolve(".git"))).isEqualTo(first.name());

    // The same deploy resumed finds its tag.
    assertThat(source.tag(url, first.name(), TAG, null)).isEqualTo(TagOutcome.pushed(false));
  }

  @Test
  void aRefusedPushLeavesTheTagInTheCacheAndNoFetchPrunesOrOverwritesIt() throws Exception {
    try (Git git = Git.open(remote.toFile())) {
      git.tag().setName(TAG).setAnnotated(false).setObjectId(second).call();
    }
    TagOutcome outcome = source.tag(url, first.name(), TAG, null);
    assertThat(outcome.tagged()).isTrue();
    assertThat(outcome.pushed()).isFalse();
    assertThat(outcome.problem()).contains("the remote refused it");
    assertThat(tagIn(source.cacheDir(url))).isEqualTo(first.name());

    source.resolve(url, "main", true, null);
    assertThat(tagIn(source.cacheDir(url))).as("not overwritten by the remote's").isEqualTo(first.name());
    try (Git git = Git.open(remote.toFile())) {
      git.tagDelete().setTags(TAG).call();
    }
    source.resolve(url, "main", true, null);
    assertThat(tagIn(source.cacheDir(url))).as("not pruned").isEqualTo(first.name());
  }

  @Test
  void withTheRemoteGoneTheTagIsStillMadeInTheCache() throws Exception {
    FileUtils.delete(remote.toFile(), FileUtils.RECURSIVE);
    TagOutcome outcome = source.tag(url, first.name(), TAG, null);
    assertThat(outcome.tagged()).isTrue();
    assertThat(outcome.created()).isTrue();
    assertThat(outcome.pushed()).isFalse();
    assertThat(outcome.problem()).isNotBlank();
    assertThat(tagIn(source.cacheDir(url))).isEqualTo(first.name());
  }

  @Test
  void aTagOfTheSameNameOnAnotherCommitIsNotMoved() throws Exception {
    assertThat(source.tag(url, first.name(), TAG, null).pushed()).isTrue();
    TagOutcome outcome = source.tag(url, second.name(), TAG, null);
    assertThat(outcome.tagged()).isFalse();
    assertThat(outcome.problem()).contains("already has a tag " + TAG + " on another commit");
    assertThat(tagIn(source.cacheDir(url))).isEqualTo(first.name());
  }

  private static String tagIn(Path gitDir) throws Exception {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build()) {
      Ref ref = repo.exactRef(Constants.R_TAGS + TAG);
      return ref == null ? null : ref.getObjectId().getName();
    }
  }
}
