package dev.backstop.operator.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkout refuses a commit whose symlinks lead out of it, and keeps the ones that stay in. */
class CheckoutSymlinkTest {

  private static final PersonIdent AUTHOR = new PersonIdent("Test", "test@example.com");

  @TempDir Path tmp;

  private RevCommit commitWithLink(String name, String target) throws Exception {
    Path remote = tmp.resolve("remote-" + name.replace('/', '-'));
    try (Git git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call()) {
      Files.writeString(remote.resolve("compose.yaml"), "services: {}\n");
      Files.createDirectories(remote.resolve("sub/deep"));
      Files.writeString(remote.resolve("sub/deep/file.txt"), "x\n");
      Path link = remote.resolve(name);
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, Path.of(target));
      git.add().addFilepattern(".").call();
      return git.commit().setMessage("c").setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
    }
  }

  private Path checkout(String name, String target) throws Exception {
    RevCommit c = commitWithLink(name, target);
    JGitSourceRepository source = new JGitSourceRepository(tmp.resolve("cache"), n -> null);
    String url = tmp.resolve("remote-" + name.replace('/', '-')).toString();
    source.resolve(url, "main", true, null);
    return source.checkout(url, c.name(), tmp.resolve("checkouts"), null);
  }

  @Test
  void refusesASymlinkToEtc() {
    assertThatThrownBy(() -> checkout("etc", "/etc"))
        .isInstanceOfSatisfying(SourceException.class, e -> {
          assertThat(e.kind()).isEqualTo(SourceException.Kind.UNSAFE);
          assertThat(e.getMessage()).contains("symlink 'etc' -> '/etc'", "outside the checkout");
        });
    assertThat(tmp.resolve("checkouts")).isEmptyDirectory();
  }

  @Test
  void refusesARelativeSymlinkThatClimbsOut() {
    assertThatThrownBy(() -> checkout("sub/up", "../../.."))
        .isInstanceOfSatisfying(SourceException.class, e ->
            assertThat(e.getMessage()).contains("symlink 'sub/up' -> '../../..'"));
  }

  @Test
  void refusesADanglingSymlinkThatWouldLeadOut() {
    assertThatThrownBy(() -> checkout("later", "../not-there-yet"))
        .isInstanceOf(SourceException.class).hasMessageContaining("outside the checkout");
  }

  @Test
  void keepsSymlinksThatStayInside() throws Exception {
    Path dir = checkout("sub/link.txt", "deep/file.txt");
    assertThat(Files.readString(dir.resolve("sub/link.txt"))).isEqualTo("x\n");
    assertThat(Files.isSymbolicLink(dir.resolve("sub/link.txt"))).isTrue();
  }
}
