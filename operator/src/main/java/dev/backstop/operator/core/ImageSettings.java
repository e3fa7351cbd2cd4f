package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import java.util.List;
import java.util.Set;

/**
 * How a release treats images: how many deployed commits keep their built images, and the pull
 * policy for plain images. Part of {@link ReleaseSettings}.
 *
 * @param keepImages how many of the last deployed commits keep their built images
 * @param pullPolicy "missing", "always" or "never"; null = each service's own pull_policy
 */
public record ImageSettings(int keepImages, String pullPolicy) {

  public static final int DEFAULT_KEEP_IMAGES = 3;

  private static final Set<String> PULL_POLICIES = Set.of("missing", "always", "never");

  /** spec.compose's image fields with defaults; what is wrong goes to {@code problems}. */
  static ImageSettings parse(ComposeSpec compose, List<String> problems) {
    if (compose.getKeepImages() != null && compose.getKeepImages() < 0) {
      problems.add("spec.compose.keepImages must be 0 or more, not " + compose.getKeepImages());
    }
    if (compose.getPullPolicy() != null && !PULL_POLICIES.contains(compose.getPullPolicy())) {
      problems.add(
          "spec.compose.pullPolicy '" + compose.getPullPolicy() + "' is not one of missing, always, never");
    }
    int keep = compose.getKeepImages() == null || compose.getKeepImages() < 0
        ? DEFAULT_KEEP_IMAGES : compose.getKeepImages();
    return new ImageSettings(keep, compose.getPullPolicy());
  }
}
