package dev.backstop.operator.compose;

import java.util.List;

/** Applies compose projects with the real `docker compose` v2 CLI. */
public interface ComposeDriver {

  /**
   * Validates the project's compose files and lists its services (`config --services`). Touches no
   * container, so it is safe to call before deciding to apply.
   *
   * @throws ComposeException with {@link ComposeException.Kind#INVALID} for missing or malformed
   *     files
   */
  List<String> services(ComposeProject project) throws ComposeException;

  /** `up -d --remove-orphans`: creates or recreates what changed, returns when started. */
  void up(ComposeProject project) throws ComposeException;

  /** `down`, optionally with `--remove-orphans`; volumes are kept. */
  void down(ComposeProject project, boolean removeOrphans) throws ComposeException;
}
