package dev.backstop.operator.git;

import static dev.backstop.operator.git.SourceException.Kind.REF_NOT_FOUND;
import static dev.backstop.operator.git.SourceException.Kind.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FileUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JGitSourceRepositoryTest {

  private static final PersonIdent AUTHOR = new PersonIdent("Test", "test@example.com");

  @TempDir Path tmp;

  private Path remote;
  private Path checkouts;
  private Git git;
  private RevCommit first;
  private RevCommit second;
  private JGitSourceRepository source;

  /** main: first -> second; branch "feature" at first; v1 lightweight, v2 annotated at second. */
  @BeforeEach
  void createRemote() throws Exception {
    remote = tmp.resolve("remote");
    checkouts = tmp.resolve("releases");
    git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call();
    write("compose.yaml", "services: {}\n");
    first = commit("first");
    write("compose.yaml", "services: {web: {image: nginx}}\n");
    write("scripts/deploy.sh", "#!/bin/sh\necho hi\n");
    remote.resolve("scripts/deploy.sh").toFile().setExecutable(true, false);
    Files.createSymbolicLink(remote.resolve("link.yaml"), Path.of("compose.yaml"));
    second = commit("second");
    git.branchCreate().setName("feature").setStartPoint(first).call();
    git.tag().setName("v1").setAnnotated(false).setObjectId(second).call();
    git.tag()
        .setName("v2")
        .setAnnotated(true)
        .setMessage("v2")
        .setSigned(false)
        .setObjectId(second)
        .call();
    git.close();
    source = new JGitSourceRepository(tmp.resolve("git-cache"), name -> null);
  }

  @Test
  void resolvesBranchesTagsAndShasViaFileUrlAndPlainPath() throws Exception {
    for (String url : List.of(remote.toUri().toString(), remote.toString())) {
      assertThat(url)
          .satisfiesAnyOf(
              u -> assertThat(u).startsWith("file:"), u -> assertThat(u).startsWith("/"));
      assertThat(source.resolve(url, "main", true, null)).as(url).isEqualTo(second.name());
      assertThat(source.resolve(url, "feature", true, null)).as(url).isEqualTo(first.name());
      assertThat(source.resolve(url, "v1", true, null)).as(url).isEqualTo(second.name());
      assertThat(source.resolve(url, "v2", true, null))
          .as("annotated tag peeled")
          .isEqualTo(second.name());
      assertThat(source.resolve(url, first.name(), true, null)).as(url).isEqualTo(first.name());
      assertThat(source.resolve(url, first.name().substring(0, 7), true, null)).isEqualTo(first.name());
      assertThat(source.resolve(url, first.name().substring(0, 4).toUpperCase(), false, null))
          .isEqualTo(first.name());
      assertThat(source.resolve(url, "refs/heads/feature", false, null)).isEqualTo(first.name());
    }
  }

  @Test
  void lsRemoteNamesTheCommitOfBranchesAndTagsWithoutACache() throws Exception {
    String url = remote.toUri().toString();
    assertThat(source.lsRemote(url, "main", null)).isEqualTo(second.name());
    assertThat(source.lsRemote(url, "feature", null)).isEqualTo(first.name());
    assertThat(source.lsRemote(url, "v2", null)).as("annotated tag peeled").isEqualTo(second.name());
    // A SHA a ref points at is found; one no ref points at needs a fetch to tell.
    assertThat(source.lsRemote(url, second.name().substring(0, 8), null)).isEqualTo(second.name());
    assertThat(source.lsRemote(url, first.name(), null)).isEqualTo(first.name());
    SourceException missing =
        catchThrowableOfType(() -> source.lsRemote(url, "v9", null), SourceException.class);
    assertThat(missing.kind()).isEqualTo(SourceException.Kind.REF_NOT_FOUND);
    assertThat(missing.getMessage()).contains("'v9'", "no branch or tag of " + url);
    SourceException gone = catchThrowableOfType(
        () -> source.lsRemote(tmp.resolve("gone").toString(), "main", null), SourceException.class);
    assertThat(gone.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
    assertThat(tmp.resolve("git-cache")).as("ls-remote clones nothing").doesNotExist();
  }

  @Test
  void fileUrlAndPlainPathShareOneCacheAndDifferentUrlsDoNot() throws Exception {
    Path other = tmp.resolve("other/remote");
    assertThat(source.cacheDir(remote.toUri().toString()))
        .isEqualTo(source.cacheDir(remote.toString()));
    assertThat(source.cacheDir(remote.toString())).isNotEqualTo(source.cacheDir(other.toString()));
    assertThat(
            source.cacheDir("https://u:secret@example.com/org/repo.git").getFileName().toString())
        .startsWith("example.com-org-repo.git-")
        .doesNotContain("secret");
  }

  @Test
  void namesWinOverShaPrefixes() throws Exception {
    String prefix = first.name().substring(0, 6);
    Git.open(remote.toFile()).tag().setName(prefix).setObjectId(second).call();
    assertThat(source.resolve(remote.toString(), prefix, true, null)).isEqualTo(second.name());
  }

  @Test
  void unknownRefIsRefNotFoundNamingTheRef() {
    SourceException e = resolveFails(remote.toString(), "v9", true);
    assertThat(e.kind()).isEqualTo(REF_NOT_FOUND);
    assertThat(e.getMessage()).contains("'v9'").contains(remote.toString());

    SourceException sha = resolveFails(remote.toString(), "0000000000", true);
    assertThat(sha.kind()).isEqualTo(REF_NOT_FOUND);
    assertThat(sha.getMessage()).contains("'0000000000'");
  }

  @Test
  void ambiguousShaPrefixIsRefNotFoundSayingSo() throws Exception {
    String prefix = createTwoCommitsSharingAPrefix();
    SourceException e = resolveFails(remote.toString(), prefix, true);
    assertThat(e.kind()).isEqualTo(REF_NOT_FOUND);
    assertThat(e.getMessage()).contains("ambiguous").contains(prefix);
  }

  @Test
  void missingPathAndNonRepositoryAreUnavailable() throws Exception {
    SourceException missing = resolveFails(tmp.resolve("nope").toString(), "main", true);
    assertThat(missing.kind()).isEqualTo(UNAVAILABLE);
    assertThat(missing.getMessage()).contains("does not exist");

    Path plain = Files.createDirectories(tmp.resolve("plain"));
    SourceException notRepo = resolveFails(plain.toUri().toString(), "main", false);
    assertThat(notRepo.kind()).isEqualTo(UNAVAILABLE);
    assertThat(notRepo.getMessage()).contains("not a git repository");
    assertThat(notRepo.getStackTrace()).isNotEmpty();
    assertThat(notRepo.getMessage()).doesNotContain("\n").doesNotContain("Exception");
    try (Stream<Path> cache = Files.list(tmp.resolve("git-cache"))) {
      assertThat(cache).as("failed clones leave nothing behind").isEmpty();
    }
  }

  @Test
  void movedTagIsSeenOnlyAfterFetch() throws Exception {
    String url = remote.toString();
    assertThat(source.resolve(url, "v1", true, null)).isEqualTo(second.name());
    try (Git g = Git.open(remote.toFile())) {
      g.tag().setName("v1").setObjectId(first).setForceUpdate(true).call();
      g.branchDelete().setBranchNames("feature").setForce(true).call();
    }
    assertThat(source.resolve(url, "v1", false, null)).isEqualTo(second.name());
    assertThat(source.resolve(url, "feature", false, null)).isEqualTo(first.name());

    assertThat(source.resolve(url, "v1", true, null)).isEqualTo(first.name());
    assertThat(resolveFails(url, "feature", false).kind()).as("pruned").isEqualTo(REF_NOT_FOUND);
  }

  @Test
  void checkoutHoldsTheCommitsFilesWithModesAndNoGitDir() throws Exception {
    String url = remote.toString();
    Path dir = source.checkout(url, source.resolve(url, "v2", true, null), checkouts, null);

    assertThat(dir).isEqualTo(checkouts.resolve(second.name()));
    assertThat(dir.resolve("compose.yaml")).hasContent("services: {web: {image: nginx}}");
    assertThat(Files.isExecutable(dir.resolve("scripts/deploy.sh"))).isTrue();
    assertThat(Files.isExecutable(dir.resolve("compose.yaml"))).isFalse();
    assertThat(Files.isSymbolicLink(dir.resolve("link.yaml"))).isTrue();
    assertThat(Files.readSymbolicLink(dir.resolve("link.yaml"))).isEqualTo(Path.of("compose.yaml"));
    assertThat(dir.resolve(".git")).doesNotExist();
    try (Stream<Path> entries = Files.list(checkouts)) {
      assertThat(entries).as("no temp dir left").containsExactly(dir);
    }

    Path old = source.checkout(url, first.name(), checkouts, null);
    assertThat(old.resolve("compose.yaml")).hasContent("services: {}");
    assertThat(old.resolve("scripts")).doesNotExist();
  }

  @Test
  void secondCheckoutReturnsTheSameDirectoryUntouched() throws Exception {
    String url = remote.toString();
    source.resolve(url, "main", true, null);
    Path dir = source.checkout(url, second.name(), checkouts, null);
    Files.writeString(dir.resolve("marker"), "kept");

    assertThat(source.checkout(url, second.name(), checkouts, null)).isEqualTo(dir);
    assertThat(dir.resolve("marker")).hasContent("kept");
  }

  @Test
  void concurrentCheckoutsOfOneCommitAgree() throws Exception {
    String url = remote.toString();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Path>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        calls.add(() -> source.checkout(url, source.resolve(url, "main", true, null), checkouts, null));
      }
      Set<Path> dirs = new HashSet<>();
      for (Future<Path> f : pool.invokeAll(calls)) {
        dirs.add(f.get());
      }
      assertThat(dirs).containsExactly(checkouts.resolve(second.name()));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void commitMissingFromCacheIsRefNotFound() throws Exception {
    String url = remote.toString();
    source.resolve(url, "main", true, null);
    String unknown = "0123456789abcdef0123456789abcdef01234567";
    SourceException e =
        catchThrowableOfType(() -> source.checkout(url, unknown, checkouts, null), SourceException.class);
    assertThat(e.kind()).isEqualTo(REF_NOT_FOUND);
    assertThat(e.getMessage()).contains(unknown);
    assertThat(checkouts.resolve(unknown)).doesNotExist();
  }

  @Test
  void cacheServesCheckoutsAndResolveWithoutFetchAfterTheRemoteIsDeleted() throws Exception {
    String url = remote.toUri().toString();
    assertThat(source.resolve(url, "main", true, null)).isEqualTo(second.name());
    Path deployed = source.checkout(url, second.name(), checkouts, null);

    FileUtils.delete(remote.toFile(), FileUtils.RECURSIVE);

    assertThat(source.checkout(url, second.name(), checkouts, null)).isEqualTo(deployed);
    Path rollback = source.checkout(url, first.name(), checkouts, null);
    assertThat(rollback.resolve("compose.yaml")).hasContent("services: {}");
    assertThat(source.resolve(url, "feature", false, null)).isEqualTo(first.name());
    assertThat(source.resolve(url, first.name().substring(0, 8), false, null)).isEqualTo(first.name());
    SourceException e = resolveFails(url, "main", true);
    assertThat(e.kind()).isEqualTo(UNAVAILABLE);

    FileUtils.delete(tmp.resolve("git-cache").toFile(), FileUtils.RECURSIVE);
    assertThat(source.checkout(url, first.name(), checkouts, null))
        .as("an existing checkout needs neither network nor cache")
        .isEqualTo(rollback);
  }

  @Test
  void credentialsNeverAppearInMessages() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://user:s3cr3tPassw0rd@127.0.0.1:" + closedPort + "/org/repo.git";
    JGitSourceRepository withToken =
        new JGitSourceRepository(
            tmp.resolve("git-cache"), Map.of("BACKSTOP_GIT_TOKEN", "t0kenValue")::get);
    for (JGitSourceRepository repo : List.of(source, withToken)) {
      SourceException e =
          catchThrowableOfType(() -> repo.resolve(url, "main", true, null), SourceException.class);
      assertThat(e.kind()).isEqualTo(UNAVAILABLE);
      assertThat(e.getMessage())
          .contains("http://127.0.0.1:" + closedPort + "/org/repo.git")
          .doesNotContain("s3cr3tPassw0rd")
          .doesNotContain("t0kenValue");
      assertThat(e.getCause()).isNull();
    }
  }

  @Test
  void httpUsesTheTokenFromTheEnvironment() throws Exception {
    Process info =
        new ProcessBuilder("git", "update-server-info")
            .directory(remote.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(info.waitFor()).as(new String(info.getInputStream().readAllBytes())).isZero();
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("deployer:t0kenValue".getBytes(StandardCharsets.UTF_8));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/repo.git/",
        exchange -> {
          Path file =
              remote
                  .resolve(".git")
                  .resolve(exchange.getRequestURI().getPath().substring("/repo.git/".length()))
                  .normalize();
          if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
          } else if (file.startsWith(remote.resolve(".git")) && Files.isRegularFile(file)) {
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          } else {
            exchange.sendResponseHeaders(404, -1);
          }
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
      SourceException e = resolveFails(url, "main", true);
      assertThat(e.kind()).isEqualTo(UNAVAILABLE);
      assertThat(e.getMessage()).contains("BACKSTOP_GIT_TOKEN");

      Map<String, String> env =
          Map.of("BACKSTOP_GIT_TOKEN", "t0kenValue", "BACKSTOP_GIT_USERNAME", "deployer");
      JGitSourceRepository withToken = new JGitSourceRepository(tmp.resolve("git-cache"), env::get);
      assertThat(withToken.resolve(url, "v2", true, null)).isEqualTo(second.name());
      Path dir = withToken.checkout(url, first.name(), checkouts, null);
      assertThat(dir.resolve("compose.yaml")).hasContent("services: {}");

      JGitSourceRepository wrongToken =
          new JGitSourceRepository(
              tmp.resolve("git-cache"), Map.of("BACKSTOP_GIT_TOKEN", "wr0ngToken")::get);
      SourceException wrong =
          catchThrowableOfType(() -> wrongToken.resolve(url, "main", true, null), SourceException.class);
      assertThat(wrong.kind()).isEqualTo(UNAVAILABLE);
      assertThat(wrong.getMessage()).doesNotContain("wr0ngToken").doesNotContain("t0kenValue");

      // The cluster's way: username and token from spec.source.secretRef, no environment at all.
      Path fromSecretCache = tmp.resolve("secret-cache");
      JGitSourceRepository noEnv = new JGitSourceRepository(fromSecretCache, name -> null);
      GitCredentials secret = GitCredentials.basic("deployer", "t0kenValue");
      assertThat(noEnv.resolve(url, "v2", true, secret)).isEqualTo(second.name());
      assertThat(noEnv.checkout(url, second.name(), tmp.resolve("secret-checkouts"), secret)
              .resolve("compose.yaml"))
          .exists();
      SourceException badSecret =
          catchThrowableOfType(
              () -> noEnv.resolve(url, "main", true, GitCredentials.basic("deployer", "n0tIt")),
              SourceException.class);
      assertThat(badSecret.kind()).isEqualTo(UNAVAILABLE);
      assertThat(badSecret.getMessage()).doesNotContain("n0tIt").doesNotContain("t0kenValue");
      assertThat(secret.toString()).doesNotContain("t0kenValue");
    } finally {
      server.stop(0);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private SourceException resolveFails(String url, String ref, boolean fetch) {
    SourceException e =
        catchThrowableOfType(() -> source.resolve(url, ref, fetch, null), SourceException.class);
    assertThat(e).as("resolve(%s, %s) should fail", url, ref).isNotNull();
    return e;
  }

  private void write(String path, String content) throws IOException {
    Path file = remote.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private RevCommit commit(String message) throws Exception {
    git.add().addFilepattern(".").call();
    return git.commit()
        .setMessage(message)
        .setAuthor(AUTHOR)
        .setCommitter(AUTHOR)
        .setSign(false)
        .call();
  }

  /** Writes commits on branch "many" until two share a 4-hex prefix, which it returns. */
  private String createTwoCommitsSharingAPrefix() throws Exception {
    try (Git g = Git.open(remote.toFile());
        ObjectInserter inserter = g.getRepository().newObjectInserter()) {
      ObjectId tree = inserter.insert(new TreeFormatter());
      Map<String, ObjectId> seen = new HashMap<>();
      ObjectId parent = first;
      for (int i = 0; i < 20_000; i++) {
        CommitBuilder c = new CommitBuilder();
        c.setTreeId(tree);
        c.setParentId(parent);
        c.setAuthor(AUTHOR);
        c.setCommitter(AUTHOR);
        c.setMessage("filler " + i);
        parent = inserter.insert(c);
        String prefix = parent.name().substring(0, 4);
        if (seen.putIfAbsent(prefix, parent) != null) {
          inserter.flush();
          RefUpdate update = g.getRepository().updateRef(Constants.R_HEADS + "many");
          update.setNewObjectId(parent);
          update.forceUpdate();
          return prefix;
        }
      }
    }
    throw new AssertionError("no shared prefix found");
  }
}
