package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.util.List;

/** The StagingReleases found in a manifest directory, and the documents that were rejected. */
public record ManifestSet(List<StagingRelease> releases, List<ManifestProblem> problems) {

  public ManifestSet {
    releases = List.copyOf(releases);
    problems = List.copyOf(problems);
  }
}
