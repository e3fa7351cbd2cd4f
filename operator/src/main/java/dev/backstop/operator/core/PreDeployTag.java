package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * spec.source.tagBeforeDeploy: the runbook's `git tag "pre-deploy-$(date +%Y%m%d-%H%M%S)"` before
 * each deploy, of the commit that runs.
 */
public final class PreDeployTag {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** The tag to make: the running commit, named for its deploy's start. */
  public record Tag(String commit, String name) {}

  private PreDeployTag() {}

  /**
   * The tag to make before {@code apply}, if any. Named for the deploy's start rather than the
   * clock, so an apply resumed after a backup or a restart finds its tag instead of making another.
   */
  public static Optional<Tag> before(StagingReleaseSpec spec, StagingReleaseStatus decided, Action.Apply apply) {
    boolean wanted = spec != null && spec.getSource() != null && Boolean.TRUE.equals(spec.getSource().getTagBeforeDeploy());
    Operation op = decided == null ? null : decided.getOperation();
    if (!wanted || apply.kind() != ActionKind.Deploy || op == null || op.getFrom() == null
        || op.getFrom().getCommit() == null || op.getStartTime() == null) {
      return Optional.empty();
    }
    String name = "pre-deploy-" + STAMP.format(Timestamps.parse(op.getStartTime()));
    return Optional.of(new Tag(op.getFrom().getCommit(), name));
  }

  /** What to tell a person: a tag made, or (a Warning) why it is not in the cache or the remote. */
  public static List<ReleaseEvent> events(Tag tag, TagOutcome outcome) {
    String what = tag.name() + " on " + Conditions.shortSha(tag.commit());
    if (!outcome.tagged()) {
      return List.of(new ReleaseEvent(ReleaseEvent.Type.Warning, ReleaseEvent.Kind.PreDeployTagFailed,
          "cannot tag " + what + " in the git cache (" + outcome.problem() + "); the deploy goes on"));
    }
    if (!outcome.created()) {
      return List.of();
    }
    if (!outcome.pushed()) {
      return List.of(new ReleaseEvent(ReleaseEvent.Type.Warning, ReleaseEvent.Kind.PreDeployTagFailed,
          "tagged " + what + " in the git cache, but pushing it failed (" + outcome.problem() + "); the deploy goes on"));
    }
    return List.of(new ReleaseEvent(ReleaseEvent.Type.Normal, ReleaseEvent.Kind.PreDeployTagged,
        "tagged " + what + " and pushed it"));
  }
}
