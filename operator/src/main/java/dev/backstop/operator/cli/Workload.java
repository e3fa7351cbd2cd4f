package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.JGitSourceRepository;
import java.nio.file.Path;

/**
 * What diff and logs need of one release, however the CLI found it: its settings and status, and
 * how this user reaches its commits and its containers.
 *
 * @param checkouts the daemon's directory of per-commit checkouts (local mode), or null
 */
record Workload(ReleaseSettings settings, StagingReleaseStatus status, Path checkouts, Git git, Engine engine) {

  /**
   * The git credentials the CLI fetches with: the release's Secret, or null for the user's
   * environment; {@code origin} says which, for a remote that refuses.
   */
  record Git(GitCredentials credentials, String origin) {

    /** The user's own environment, with why the release's Secret is not used (or null). */
    static Git environment(String why) {
      return new Git(null, "the git credentials came from your environment (" + JGitSourceRepository.TOKEN_VARIABLE
          + (why == null ? ")" : "): " + why));
    }

    @Override
    public String toString() {
      return "Git[" + origin + "]";
    }
  }

  /**
   * How the CLI reaches the release's Docker engine.
   *
   * @param dockerHost spec.compose.dockerHost, or null for the engine of the CLI's environment
   * @param tls the TLS material of the release's Secret, or null for the CLI's own environment
   * @param tlsOrigin why the Secret's TLS material is not used, for an engine that refuses, or null
   * @param absent the sentence for an engine with no container of the project
   */
  record Engine(String dockerHost, DockerTls tls, String tlsOrigin, String absent) {}
}
