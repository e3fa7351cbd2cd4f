package dev.backstop.operator.state;

import java.nio.file.Path;

/**
 * Where Backstop keeps its state on disk: one directory per release below the state directory
 * ({@code releases/<name>} in local mode, {@code <namespace>/<name>} in cluster mode), plus a few
 * files for the whole process. The paths are part of the on-disk format: existing state must keep
 * working, so change them only with a migration.
 */
public final class StateLayout {

  private final Path root;
  private final boolean cluster;

  private StateLayout(Path root, boolean cluster) {
    this.root = root;
    this.cluster = cluster;
  }

  /** The layout of `backstop run`: releases are named by their manifest's name alone. */
  public static StateLayout local(Path root) {
    return new StateLayout(root, false);
  }

  /** The layout of `backstop operator`: releases are named by namespace and name. */
  public static StateLayout cluster(Path root) {
    return new StateLayout(root, true);
  }

  /** The state directory itself. */
  public Path root() {
    return root;
  }

  /** The git cache shared by every release. */
  public Path gitCache() {
    return root.resolve("git-cache");
  }

  /** The private HOME (0700) of every child process: docker, compose, ssh. */
  public Path subprocessHome() {
    return root.resolve("home");
  }

  /** Where a running local daemon says it listens. */
  public Path daemonInfo() {
    return root.resolve("daemon.json");
  }

  /** The problems of the last manifest load (local mode). */
  public Path problems() {
    return root.resolve("problems.json");
  }

  /** The directory holding one directory per release (local mode). */
  public Path releasesDir() {
    requireLocal();
    return root.resolve("releases");
  }

  /** A local-mode release's directory; the caller has validated the name. */
  public ReleaseDir release(String name) {
    requireLocal();
    return new ReleaseDir(releasesDir().resolve(name));
  }

  /** A cluster-mode release's directory. */
  public ReleaseDir release(String namespace, String name) {
    if (!cluster) {
      throw new IllegalStateException("local-mode state has no namespaces");
    }
    return new ReleaseDir(root.resolve(namespace).resolve(name));
  }

  private void requireLocal() {
    if (cluster) {
      throw new IllegalStateException("cluster-mode state keeps releases under their namespace");
    }
  }

  /** One release's directory and the files in it. */
  public record ReleaseDir(Path path) {

    /** The directory under which one checkout per deployed commit lives. */
    public Path checkouts() {
      return path.resolve("checkouts");
    }

    /** The files of {@code commit}, as the git cache checked them out. */
    public Path checkout(String commit) {
      return checkouts().resolve(commit);
    }

    /** The recorded status (local mode). */
    public Path status() {
      return path.resolve("status.json");
    }

    /** Requests made with the CLI (local mode). */
    public Path requests() {
      return path.resolve("requests.json");
    }

    /** The generation counter and the last spec reconciled, which is the saved spec. */
    public Path generation() {
      return path.resolve("generation.json");
    }

    /** Where backups go unless spec.backup.storage names another place. */
    public Path backups() {
      return path.resolve("backups");
    }

    /** The Docker host's TLS material from the release's Secret. */
    public Path dockerTls() {
      return path.resolve("docker-tls");
    }

    /** The compose override file that pins {@code commit}'s built images. */
    public Path imagesOverride(String commit) {
      return path.resolve("images").resolve(commit + ".override.yml");
    }
  }
}
