package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.QuarantinedCommit;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a release may roll back to: commits that passed verification here (last-known-good and
 * the successes in history), never the one running and never a quarantined one.
 */
final class RollbackTargets {

  private static final Pattern SHA_PREFIX = Pattern.compile("[0-9a-fA-F]{4,40}");

  private RollbackTargets() {}

  /** A target a rollback request named: the revision to go to, or why not (with the choices). */
  record Choice(Revision target, String refusal) {}

  /** Every commit a rollback may go to, newest first, one entry per commit. */
  static List<Revision> eligible(StagingReleaseStatus s) {
    String running = s.getCurrent() == null ? null : s.getCurrent().getCommit();
    List<Revision> out = new ArrayList<>();
    for (Revision r : verified(s).values()) {
      if (!r.getCommit().equals(running) && quarantine(s, r.getCommit()) == null) {
        out.add(r.copy());
      }
    }
    return out;
  }

  /** Where a plain rollback goes: last-known-good, or the newest other success when that runs. */
  static Revision defaultTarget(StagingReleaseStatus s) {
    List<Revision> all = eligible(s);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * The eligible commit {@code ref} names: a full or abbreviated commit, or the ref it was deployed
   * as (the newest such commit when a branch moved). A blank ref means the default target.
   */
  static Choice resolve(StagingReleaseStatus s, String ref) {
    if (ref == null || ref.isBlank()) {
      Revision target = defaultTarget(s);
      return target == null ? new Choice(null, RequestAnswers.noTarget(s)) : new Choice(target, null);
    }
    String wanted = ref.trim();
    List<Revision> matches = verified(s).values().stream().filter(r -> names(r, wanted)).toList();
    List<Revision> eligible = eligible(s);
    List<Revision> usable = eligible.stream().filter(r -> names(r, wanted)).toList();
    Revision byRef = usable.stream().filter(r -> wanted.equals(r.getRef())).findFirst().orElse(null);
    if (byRef != null) {
      return new Choice(byRef, null);
    }
    if (usable.size() > 1) {
      return new Choice(null, "cannot roll back to " + wanted + ": it abbreviates more than one commit; "
          + choices(eligible));
    }
    if (!usable.isEmpty()) {
      return new Choice(usable.get(0), null);
    }
    String why;
    if (matches.isEmpty()) {
      why = "it names no commit that passed verification in this release";
    } else {
      Revision r = matches.get(0);
      QuarantinedCommit q = quarantine(s, r.getCommit());
      why = q != null
          ? Conditions.describe(r) + " is quarantined (" + q.getMessage() + ")"
          : Conditions.describe(r) + " is what runs now";
    }
    return new Choice(null, "cannot roll back to " + wanted + ": " + why + "; " + choices(eligible));
  }

  /**
   * Keeps lastKnownGood a commit the release would roll back to: once it is quarantined (rolled
   * away from, by hand or by a check), the newest other commit that passed verification takes its
   * place, the running one included.
   */
  static void keepLastKnownGoodUsable(StagingReleaseStatus s) {
    Revision lkg = s.getLastKnownGood();
    if (lkg == null || quarantine(s, lkg.getCommit()) == null) {
      return;
    }
    Revision next = verified(s).values().stream()
        .filter(r -> quarantine(s, r.getCommit()) == null).findFirst().orElse(null);
    s.setLastKnownGood(next == null ? null : withBackup(s, next.copy()));
  }

  /** {@code target} as last-known-good after a rollback reached it, with its newest backup. */
  static Revision asLastKnownGood(StagingReleaseStatus s, Revision target) {
    Revision lkg = s.getLastKnownGood();
    if (lkg != null && lkg.getCommit().equals(target.getCommit())) {
      return lkg;
    }
    return withBackup(s, target.copy());
  }

  private static Revision withBackup(StagingReleaseStatus s, Revision r) {
    r.setBackup(s.getBackups().stream().filter(b -> r.getCommit().equals(b.getCommit()))
        .map(BackupRecord::getName).findFirst().orElse(null));
    return r;
  }

  private static String choices(List<Revision> eligible) {
    if (eligible.isEmpty()) {
      return "no commit is eligible (none other than the running one passed verification, or every one is quarantined)";
    }
    return "eligible: " + String.join(", ", eligible.stream().map(Conditions::describe).toList());
  }

  private static boolean names(Revision r, String wanted) {
    if (wanted.equals(r.getRef())) {
      return true;
    }
    return SHA_PREFIX.matcher(wanted).matches() && r.getCommit().startsWith(wanted.toLowerCase(Locale.ROOT));
  }

  /** Commits that passed verification here, newest first: last-known-good, then history. */
  private static Map<String, Revision> verified(StagingReleaseStatus s) {
    Map<String, Revision> byCommit = new LinkedHashMap<>();
    if (s.getLastKnownGood() != null && s.getLastKnownGood().getCommit() != null) {
      byCommit.put(s.getLastKnownGood().getCommit(), s.getLastKnownGood());
    }
    for (HistoryEntry h : s.getHistory()) {
      // An emergency rollback skips verification, but only ever goes to a commit that passed it.
      boolean verifies = h.getAction() == ActionKind.Deploy || h.getAction() == ActionKind.Rollback
          || h.getAction() == ActionKind.EmergencyRollback;
      if (verifies && h.getResult() == Result.Succeeded && h.getTo() != null && h.getTo().getCommit() != null) {
        byCommit.putIfAbsent(h.getTo().getCommit(), h.getTo());
      }
    }
    return byCommit;
  }

  private static QuarantinedCommit quarantine(StagingReleaseStatus s, String commit) {
    return s.getQuarantined().stream().filter(q -> q.getCommit().equals(commit)).findFirst().orElse(null);
  }
}
