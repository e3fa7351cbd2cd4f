package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The local daemon's releases: its manifests, and the status files its workers write. */
final class LocalStatusSource implements StatusSource {

  private final LocalDaemon daemon;

  LocalStatusSource(LocalDaemon daemon) {
    this.daemon = daemon;
  }

  @Override
  public List<String> names() throws IOException {
    return daemon.store().names();
  }

  @Override
  public boolean isName(String name) {
    return ReleaseName.isValid(name);
  }

  @Override
  public Map<String, StagingRelease> releases() {
    return daemon.releases();
  }

  @Override
  public Optional<StagingReleaseStatus> status(String name) {
    return daemon.status(name);
  }

  /**
   * A status file is replaced, never rewritten in place: the same file key and time mean the same
   * content, so an idle release costs a stat per poll instead of a parse.
   */
  @Override
  public Object version(String name) throws IOException {
    // A worker's recorded status is a new object at each change and the same one while nothing
    // changes (see ReleaseWorker): its identity is the version, without a stat per poll.
    StagingReleaseStatus live = daemon.recordedStatus(name);
    if (live != null) {
      return new Identity(live);
    }
    try {
      BasicFileAttributes a =
          Files.readAttributes(daemon.store().release(name).status(), BasicFileAttributes.class);
      return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public Redactor redactor() {
    return daemon.redactor();
  }

  /** Equal only to the version of the very same status object. */
  private record Identity(Object status) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && other.status == status;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(status);
    }
  }
}
