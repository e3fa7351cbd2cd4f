package dev.backstop.operator.stack;

import dev.backstop.operator.core.ImageRetention;
import dev.backstop.operator.state.FileTrees;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A release's per-commit files on disk (checkouts and image override files), pruned with image
 * retention: a commit whose images go has its files go too, so state stays bounded.
 */
final class CommitFiles {

  private static final Logger LOG = LoggerFactory.getLogger(CommitFiles.class);
  private static final String OVERRIDE = ".override.yml";

  private CommitFiles() {}

  /**
   * Deletes the checkouts and override files of commits not in {@code keep}. Best effort: what
   * cannot be deleted now is tried again after the next apply.
   *
   * @return the commits whose files were removed
   */
  static List<String> prune(String release, StateLayout.ReleaseDir dir, Set<String> keep) {
    List<String> removed = new ArrayList<>();
    Path checkouts = dir.checkouts();
    for (String commit : ImageRetention.removableCommits(names(checkouts, ""), keep)) {
      try {
        FileTrees.deleteTree(dir.checkout(commit));
        removed.add(commit);
      } catch (IOException e) {
        LOG.warn("{}: cannot remove the checkout of {}: {}", release, commit, e.getMessage());
      }
    }
    Path images = dir.imagesOverride("x").getParent();
    for (String commit : ImageRetention.removableCommits(names(images, OVERRIDE), keep)) {
      try {
        Files.deleteIfExists(dir.imagesOverride(commit));
        if (!removed.contains(commit)) {
          removed.add(commit);
        }
      } catch (IOException e) {
        LOG.warn("{}: cannot remove the image override of {}: {}", release, commit, e.getMessage());
      }
    }
    if (!removed.isEmpty()) {
      LOG.info("{}: removed the files of {} commit(s) retention no longer keeps", release, removed.size());
    }
    return removed;
  }

  /** The names in {@code dir} that end with {@code suffix}, without it; none when it does not exist. */
  private static List<String> names(Path dir, String suffix) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
          .map(n -> n.substring(0, n.length() - suffix.length())).toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", dir, e.getMessage());
      return List.of();
    }
  }
}
