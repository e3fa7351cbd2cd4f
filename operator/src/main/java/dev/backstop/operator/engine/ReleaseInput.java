package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import java.nio.file.Path;
import java.util.Map;

/**
 * One release as a driver hands it to the loop: what it is, what it asks for, and where its files
 * live. The spec is parsed once per reconcile, by the loop.
 *
 * @param key namespace/name: unique across namespaces, keys probes, metrics and Docker material
 * @param generation the spec generation (metadata.generation in the cluster)
 * @param requests request annotation values (backstop.dev/rollback, ...)
 * @param workDir the release's own directory: per-commit checkouts live below it
 * @param access credentials (or a credential problem) the driver resolved
 * @param fetchNow fetch the source now whatever pollInterval says (a push webhook came)
 */
public record ReleaseInput(
    String key,
    String name,
    StagingReleaseSpec spec,
    long generation,
    Map<String, String> requests,
    Path workDir,
    Access access,
    boolean fetchNow) {

  public ReleaseInput {
    requests = requests == null ? Map.of() : Map.copyOf(requests);
    access = access == null ? Access.NONE : access;
  }

  public ReleaseInput(
      String key, String name, StagingReleaseSpec spec, long generation, Map<String, String> requests, Path workDir,
      Access access) {
    this(key, name, spec, generation, requests, workDir, access, false);
  }

  /** This release, fetching now when {@code fetch} is set. */
  public ReleaseInput withFetchNow(boolean fetch) {
    return new ReleaseInput(key, name, spec, generation, requests, workDir, access, fetch);
  }

  /** A release from a resource or manifest. */
  public static ReleaseInput of(
      StagingRelease release, long generation, Map<String, String> requests, Path workDir, Access access) {
    return new ReleaseInput(keyOf(release), release.getMetadata().getName(), release.getSpec(), generation,
        requests, workDir, access);
  }

  /**
   * namespace/name, because two namespaces may each hold a release of the same name. No namespace
   * means "default", as local mode loads manifests.
   */
  public static String keyOf(StagingRelease release) {
    String namespace = release.getMetadata().getNamespace();
    return (namespace == null || namespace.isEmpty() ? "default" : namespace) + "/"
        + release.getMetadata().getName();
  }
}
