package dev.backstop.operator.cluster;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.git.JGitSourceRepository;
import java.util.function.Supplier;

/**
 * Which sources a cluster tenant may name. A file:// or path URL reads the operator's own disk,
 * where every tenant's checkouts and git caches live, so it is refused unless the operator was
 * started with {@code --allow-local-sources}.
 */
final class SourceAdmission {

  static final String FLAG = "--allow-local-sources";

  private final boolean allowLocal;

  SourceAdmission(boolean allowLocal) {
    this.allowLocal = allowLocal;
  }

  /** The release's access from {@code secrets}, or a block when its source is not allowed. */
  Access admit(StagingRelease release, Supplier<Access> secrets) {
    String url = release.getSpec() == null || release.getSpec().getSource() == null
        ? null : release.getSpec().getSource().getUrl();
    if (!allowLocal && JGitSourceRepository.isLocalSource(url)) {
      // Refused before any Secret is read: nothing of the tenant's is fetched for a refused source.
      return Access.blocked(new Problem(Reason.SourceNotAllowed, "spec.source.url '" + url
          + "' is a path on the operator's filesystem; this operator refuses file:// and local-path sources"
          + " (start it with " + FLAG + ", chart value allowLocalSources: true, to accept them) or use an"
          + " https or ssh URL"));
    }
    return secrets.get();
  }
}
