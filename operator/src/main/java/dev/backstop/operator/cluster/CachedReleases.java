package dev.backstop.operator.cluster;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Redactor;
import dev.backstop.operator.local.ReleaseName;
import dev.backstop.operator.local.StatusSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The status page's releases on a cluster: the controller's informer cache (no API call, no RBAC
 * verb beyond the list and watch it has), named namespace/name.
 */
final class CachedReleases implements StatusSource {

  // A namespace is a DNS-1123 label; a StagingRelease's name may be a subdomain.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final ControllerEventSource<StagingRelease> cache;
  private final Supplier<Redactor> redactor;

  CachedReleases(ControllerEventSource<StagingRelease> cache, Supplier<Redactor> redactor) {
    this.cache = cache;
    this.redactor = redactor;
  }

  static String nameOf(StagingRelease release) {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  @Override
  public List<String> names() {
    return List.copyOf(releases().keySet());
  }

  @Override
  public boolean isName(String name) {
    return isClusterName(name);
  }

  /** Whether text has the form namespace/name: a DNS-1123 label, one slash, a DNS-1123 subdomain. */
  static boolean isClusterName(String name) {
    int slash = name.indexOf('/');
    return slash > 0 && ReleaseName.isValid(name.substring(0, slash))
        && NAME.matcher(name.substring(slash + 1)).matches();
  }

  @Override
  public Map<String, StagingRelease> releases() {
    Map<String, StagingRelease> all = new TreeMap<>();
    if (!cache.isRunning()) {
      // Before the informers start, and on a standby replica, which starts none: nothing to show.
      return all;
    }
    cache.list().forEach(r -> all.put(nameOf(r), r));
    return all;
  }

  @Override
  public Optional<StagingReleaseStatus> status(String name) {
    return release(name).map(StagingRelease::getStatus);
  }

  // Any change to the object (its status included) gives it a new resourceVersion.
  @Override
  public Object version(String name) {
    return release(name).filter(r -> r.getStatus() != null).map(r -> r.getMetadata().getResourceVersion())
        .orElse(null);
  }

  @Override
  public Redactor redactor() {
    return redactor.get();
  }

  private Optional<StagingRelease> release(String name) {
    if (!isName(name) || !cache.isRunning()) {
      return Optional.empty();
    }
    int slash = name.indexOf('/');
    return cache.get(new ResourceID(
        name.substring(slash + 1), name.substring(0, slash)));
  }
}
