package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which commits keep their built images: the rest may be removed from the Docker host. */
public final class ImageRetention {

  private ImageRetention() {}

  /**
   * The commits whose images stay: the current one, the last-known-good one (a rollback must
   * never need a build), the commits of services a gradual rollback moved back, the target of an
   * operation in flight, and the last {@code keep} distinct
   * commits deployed or rolled back to (status.history, newest first).
   */
  public static Set<String> commitsToKeep(StagingReleaseStatus s, int keep) {
    Set<String> always = new LinkedHashSet<>();
    add(always, s.getCurrent());
    add(always, s.getLastKnownGood());
    // Services a gradual rollback moved back run that commit's images and checkout.
    s.getRolledBackServices().forEach(r -> add(always, r.getRevision()));
    if (s.getOperation() != null) {
      add(always, s.getOperation().getTarget());
    }
    Set<String> recent = new LinkedHashSet<>();
    for (HistoryEntry h : s.getHistory()) {
      if (recent.size() >= keep) {
        break;
      }
      Revision to = h.getTo();
      if (to != null && to.getCommit() != null) {
        recent.add(to.getCommit());
      }
    }
    always.addAll(recent);
    return always;
  }

  /**
   * Of a project's {@code images} (repository:tag), those whose tag is not the image tag of one of
   * the {@code kept} commits: what retention may remove.
   */
  public static List<String> removable(List<String> images, Set<String> kept) {
    Set<String> keepTags = new HashSet<>();
    kept.forEach(c -> keepTags.add(ImagePlan.tag(c)));
    return images.stream()
        .filter(image -> !keepTags.contains(image.substring(image.lastIndexOf(':') + 1)))
        .toList();
  }

  /**
   * Of the commits that have files on disk (checkouts, image override files), those retention does
   * not keep: the same commits whose images go. Names that are not full commit SHAs (a checkout in
   * progress, a stray file) are never listed.
   */
  public static List<String> removableCommits(java.util.Collection<String> onDisk, Set<String> kept) {
    return onDisk.stream().filter(c -> COMMIT.matcher(c).matches() && !kept.contains(c)).sorted().toList();
  }

  private static final java.util.regex.Pattern COMMIT = java.util.regex.Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private static void add(Set<String> commits, Revision r) {
    if (r != null && r.getCommit() != null) {
      commits.add(r.getCommit());
    }
  }
}
