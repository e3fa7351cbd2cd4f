package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a release treats images: how many deployed commits keep their built images, and the pull
 * policy for plain images. Kept apart from {@link ReleaseSettings} so that image handling can grow
 * without touching every reader of the spec.
 *
 * @param keepImages how many of the last deployed commits keep their built images
 * @param pullPolicy "missing", "always" or "never"; null = each service's own pull_policy
 */
public record ImageSettings(int keepImages, String pullPolicy) {

  public static final int DEFAULT_KEEP_IMAGES = 3;

  private static final Set<String> PULL_POLICIES = Set.of("missing", "always", "never");

  /** Adds what is wrong with spec.compose's image fields to {@code problems}. */
  static void validate(ComposeSpec compose, List<String> problems) {
    if (compose == null) {
      return;
    }
    if (compose.getKeepImages() != null && compose.getKeepImages() < 0) {
      problems.add("spec.compose.keepImages must be 0 or more, not " + compose.getKeepImages());
    }
    if (compose.getPullPolicy() != null && !PULL_POLICIES.contains(compose.getPullPolicy())) {
      problems.add(
          "spec.compose.pullPolicy '" + compose.getPullPolicy() + "' is not one of missing, always, never");
    }
  }

  /** Validates and fills in defaults. */
  public static ImageSettings from(StagingReleaseSpec spec) throws InvalidSpecException {
    ComposeSpec compose = spec == null || spec.getCompose() == null ? new ComposeSpec() : spec.getCompose();
    List<String> problems = new ArrayList<>();
    validate(compose, problems);
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    int keep = compose.getKeepImages() == null ? DEFAULT_KEEP_IMAGES : compose.getKeepImages();
    return new ImageSettings(keep, compose.getPullPolicy());
  }
}
