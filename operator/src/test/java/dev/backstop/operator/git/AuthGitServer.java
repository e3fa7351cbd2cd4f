package dev.backstop.operator.git;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A private git repository over (dumb) HTTP on loopback: every request needs Basic auth with one
 * username and token, unless {@link #makePublic(boolean)} opened it. Serves a real repository's
 * files, so JGit fetches from it as from any git host.
 */
public final class AuthGitServer implements AutoCloseable {

  private final HttpServer server;
  private final AtomicBoolean open = new AtomicBoolean();
  private volatile int fetches;

  /** Serves the non-bare repository at {@code worktree} (its .git) as /repo.git. */
  public AuthGitServer(Path worktree, String username, String token) throws IOException {
    Path gitDir = worktree.resolve(".git").toAbsolutePath().normalize();
    String expected = "Basic " + Base64.getEncoder()
        .encodeToString((username + ":" + token).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/repo.git/", exchange -> {
      try (exchange) {
        updateServerInfo(worktree);
        Path file = gitDir.resolve(exchange.getRequestURI().getPath().substring("/repo.git/".length()))
            .normalize();
        if (!open.get() && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
          exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
          exchange.sendResponseHeaders(401, -1);
        } else if (file.startsWith(gitDir) && Files.isRegularFile(file)) {
          if (file.endsWith("info/refs")) {
            fetches++;
          }
          byte[] body = Files.readAllBytes(file);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        } else {
          exchange.sendResponseHeaders(404, -1);
        }
      }
    });
    server.start();
  }

  /** Whether anyone may read it without credentials (a repository that was public, once). */
  public void makePublic(boolean isPublic) {
    open.set(isPublic);
  }

  /** Successful reads of info/refs: one per fetch that got in. */
  public int fetches() {
    return fetches;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
  }

  private static void updateServerInfo(Path worktree) throws IOException {
    try {
      Process p = new ProcessBuilder("git", "update-server-info").directory(worktree.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        throw new IOException("git update-server-info failed in " + worktree);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
