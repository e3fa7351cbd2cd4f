package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ImageRetention;
import dev.backstop.operator.state.StateLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkouts and override files go with their commits' images; kept commits and strays stay. */
class CommitFilesTest {

  @TempDir Path tmp;

  private static String sha(char c) {
    return String.valueOf(c).repeat(40);
  }

  private static Revision rev(String commit) {
    Revision r = new Revision();
    r.setCommit(commit);
    return r;
  }

  @Test
  void filesOfCommitsRetentionDropsAreDeleted() throws Exception {
    StateLayout.ReleaseDir dir = new StateLayout.ReleaseDir(tmp);
    for (char c : "abcdef".toCharArray()) {
      Files.createDirectories(dir.checkout(sha(c)).resolve("app"));
      Files.writeString(dir.checkout(sha(c)).resolve("app/compose.yaml"), "services: {}\n");
      Files.createDirectories(dir.imagesOverride(sha(c)).getParent());
      Files.writeString(dir.imagesOverride(sha(c)), "services: {}\n");
    }
    Files.createDirectories(dir.checkouts().resolve(".tmp-checkout-1"));
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.setCurrent(rev(sha('f')));
    s.setLastKnownGood(rev(sha('a')));
    // Newest first: f, e, d were deployed last; keepImages 2 keeps f and e of those.
    for (char c : "fedcb".toCharArray()) {
      HistoryEntry h = new HistoryEntry();
      h.setTo(rev(sha(c)));
      s.getHistory().add(h);
    }

    List<String> removed = CommitFiles.prune("default/demo", dir, ImageRetention.commitsToKeep(s, 2));

    assertThat(removed).containsExactlyInAnyOrder(sha('b'), sha('c'), sha('d'));
    for (char c : "aef".toCharArray()) {
      assertThat(dir.checkout(sha(c))).isDirectory();
      assertThat(dir.imagesOverride(sha(c))).isRegularFile();
    }
    for (char c : "bcd".toCharArray()) {
      assertThat(dir.checkout(sha(c))).doesNotExist();
      assertThat(dir.imagesOverride(sha(c))).doesNotExist();
    }
    assertThat(dir.checkouts().resolve(".tmp-checkout-1")).isDirectory();
  }

  @Test
  void aReleaseWithoutFilesIsFine() {
    assertThat(CommitFiles.prune("default/none", new StateLayout.ReleaseDir(tmp.resolve("none")), java.util.Set.of()))
        .isEmpty();
  }
}
