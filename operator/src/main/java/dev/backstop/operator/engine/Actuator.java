package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ApplyOutcome;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.TagOutcome;

/**
 * The loop's hands: each method carries out one action the core decided. Outcomes are returned,
 * never thrown, so that the core records what happened.
 */
public interface Actuator {

  /** Checks out the target commit and applies its compose files. */
  ApplyOutcome apply(ReleaseInput release, ReleaseSettings settings, Action.Apply apply);

  /** Tags {@code commit} as {@code name} in the git cache and pushes the tag when it can. */
  TagOutcome tag(ReleaseInput release, ReleaseSettings settings, String commit, String name);

  /** Dumps the database of the running stack into a new backup. */
  BackupOutcome backup(ReleaseInput release, ReleaseSettings settings, Action.Backup backup);

  /** Restores a backup into the database after checking its checksum. */
  BackupOutcome restore(ReleaseInput release, ReleaseSettings settings, Action.Restore restore);

  /** Deletes backup files that status no longer lists; a leftover wastes space, misleads nobody. */
  void deleteBackups(ReleaseInput release, ReleaseSettings settings, Action.DeleteBackups expired);

  /** Removes built images that retention let go, after a successful apply. */
  void retainImages(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus status);

  /** Takes the stack down (`compose down`), for deletion with the Down policy. */
  void down(ReleaseInput release, ReleaseSettings settings, StagingReleaseStatus status)
      throws ActionFailedException;

  /** An action that could not be carried out; the message is for people. */
  final class ActionFailedException extends Exception {
    public ActionFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
