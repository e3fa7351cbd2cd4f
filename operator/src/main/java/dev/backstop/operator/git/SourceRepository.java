package dev.backstop.operator.git;

import java.nio.file.Path;

/** Resolves refs of a git repository and keeps one checkout per deployed commit. */
public interface SourceRepository {

  /**
   * Resolves a branch, tag, or full or abbreviated commit SHA to a full commit SHA.
   *
   * @param fetch fetch the remote first; when false, resolve from the local cache (cloning it
   *     first if there is none yet)
   * @param credentials from the release's Secret; null when the repository needs none
   * @throws SourceException with {@link SourceException.Kind#REF_NOT_FOUND} when the ref names
   *     nothing, {@link SourceException.Kind#UNAVAILABLE} when the repository cannot be read
   */
  String resolve(String url, String ref, boolean fetch, GitCredentials credentials)
      throws SourceException;

  /**
   * As {@link #resolve(String, String, boolean, GitCredentials)}, for one release: a cache is
   * served without a fetch only to a release whose own last fetch into it succeeded.
   *
   * @param release the release's key (namespace/name)
   */
  default String resolve(
      String release, String url, String ref, boolean fetch, GitCredentials credentials)
      throws SourceException {
    return resolve(url, ref, fetch, credentials);
  }

  /**
   * Returns a directory holding the files of {@code commit}, creating it from the local cache if
   * it does not exist yet. The directory is kept, so a later call for the same commit needs no
   * network: rollbacks run from it.
   *
   * @param root directory under which per-commit checkouts live (one per release)
   * @param credentials from the release's Secret; null when the repository needs none
   */
  Path checkout(String url, String commit, Path root, GitCredentials credentials)
      throws SourceException;

  /**
   * Tags {@code commit} as {@code name} (a lightweight tag) in the local cache, then pushes the tag
   * to the remote. Failures are returned, never thrown: a tag is never a reason to hold a deploy.
   */
  dev.backstop.operator.core.TagOutcome tag(String url, String commit, String name, GitCredentials credentials);
}
