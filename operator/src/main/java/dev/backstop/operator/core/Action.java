package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Revision;

/** The one step a reconcile takes on the stack. */
public sealed interface Action {

  /** Change nothing. */
  record None() implements Action {}

  /**
   * Apply {@code target}'s compose files: check out the commit, validate, then `compose up`.
   *
   * @param downFirst `compose down --remove-orphans` before `up` (emergency rollback)
   * @param services a gradual rollback: `up --no-deps` of only these services from {@code target}'s
   *     files, the rest left as they run; empty applies the whole release
   */
  record Apply(ActionKind kind, Revision target, boolean downFirst, java.util.List<String> services)
      implements Action {
    public Apply {
      services = services == null ? java.util.List.of() : java.util.List.copyOf(services);
    }

    /** An apply of the whole release. */
    public Apply(ActionKind kind, Revision target, boolean downFirst) {
      this(kind, target, downFirst, java.util.List.of());
    }
  }

  /**
   * Dump the database of the running stack into a new backup file named {@code name}.
   *
   * @param commit the commit whose stack runs, recorded with the backup
   */
  record Backup(String name, String commit, String reason, boolean mayDrill) implements Action {
    /** A backup that spec.backup.drill applies to. */
    public Backup(String name, String commit, String reason) {
      this(name, commit, reason, true);
    }
  }

  /** Restore backup {@code name} into the database, after checking the file against {@code sha256}. */
  record Restore(String name, String sha256) implements Action {}

  /** Delete backup files that retention let go; status no longer lists them. */
  record DeleteBackups(java.util.List<String> names) implements Action {}

  None NONE = new None();
}
