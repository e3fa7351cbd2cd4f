package dev.backstop.operator.stack;

import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeOutlines;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.SubprocessEnv;
import dev.backstop.operator.core.ServiceOutline;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.state.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ref's compose model rendered by the real `docker compose config` in a throwaway clone and
 * checkout (for `doctor` and `init`), so that a daemon's own cache and checkouts are never
 * touched by a one-shot command. {@link #close()} deletes them.
 */
public final class RefPreview implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RefPreview.class);
  // config reads files only; a minute is generous.
  private static final Duration CONFIG_TIMEOUT = Duration.ofMinutes(1);

  private final Path dir;
  private final JGitSourceRepository git;
  private final DockerComposeCli compose;

  /** A preview whose git cache and checkouts live in a new temporary directory. */
  public RefPreview(SubprocessEnv env) throws IOException {
    this.dir = Files.createTempDirectory("backstop-preview-");
    this.git = new JGitSourceRepository(dir.resolve("git-cache"), System::getenv);
    this.compose = new DockerComposeCli("docker", CONFIG_TIMEOUT, env);
  }

  /** The git adapter this preview clones with (its cache is the preview's own). */
  public JGitSourceRepository git() {
    return git;
  }

  /**
   * Clones {@code url}, checks out {@code ref} and renders its compose files.
   *
   * @param composePath the directory of the compose files in the repository
   * @param files compose files relative to it; empty = Compose's default names
   * @param variables stack variables for interpolation (values are secret)
   */
  public Rendered render(
      String project,
      String url,
      String ref,
      GitCredentials credentials,
      String composePath,
      List<String> files,
      List<String> envFiles,
      DockerEndpoint endpoint,
      Map<String, String> variables)
      throws SourceException, ComposeException {
    String commit = git.resolve(url, ref, true, credentials);
    Path checkout = git.checkout(url, commit, dir.resolve("checkouts"), credentials);
    Path composeDir = checkout.resolve(composePath).normalize();
    if (!composeDir.startsWith(checkout)) {
      throw new ComposeException(ComposeException.Kind.INVALID,
          "compose path '" + composePath + "' leaves the repository; name a directory inside it");
    }
    String json = compose.config(new ComposeProject(project, composeDir, files, envFiles, endpoint, variables));
    return new Rendered(commit, checkout, composeDir, json, ComposeOutlines.parse(json));
  }

  /**
   * One rendered ref.
   *
   * @param commit the commit the ref resolved to
   * @param checkout the throwaway checkout (gone after {@link #close()})
   * @param composeDir the compose directory inside it
   * @param configJson `docker compose config --format json`
   */
  public record Rendered(
      String commit, Path checkout, Path composeDir, String configJson, List<ServiceOutline> services) {}

  @Override
  public void close() {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary directory {}: {}", dir, e.getMessage());
    }
  }
}
