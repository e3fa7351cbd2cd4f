package dev.backstop.operator.stack;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.CommitImages;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ComposeModel;
import dev.backstop.operator.core.ImagePlan;
import dev.backstop.operator.core.ImageRetention;
import dev.backstop.operator.core.ImageSettings;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a commit's images onto the host before any container changes: pulls plain images, builds
 * the commit's own images under per-commit names, and later removes images no release needs. A
 * failure here leaves the running stack untouched, which is why it runs before `up`.
 */
final class StackImages {

  private static final Logger LOG = LoggerFactory.getLogger(StackImages.class);

  /** A step before `up` failed; nothing on the host changed. */
  static final class Failure extends Exception {
    private final Reason reason;

    Failure(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    Reason reason() {
      return reason;
    }
  }

  /**
   * The project to run `up` with (the user's files plus the per-commit override) and a note for
   * people, or null.
   */
  record Prepared(ComposeProject project, String note) {}

  private final ComposeDriver compose;
  private final StackGuard guard;

  StackImages(ComposeDriver compose) {
    this.compose = compose;
    this.guard = new StackGuard(compose);
  }

  /** {@link #prepare(String, ImageSettings, boolean, String, ComposeProject, Path, StackGuard.Rules)} unguarded. */
  Prepared prepare(
      String release,
      ImageSettings settings,
      boolean rollback,
      String commit,
      ComposeProject project,
      Path stateDir)
      throws Failure {
    return prepare(release, settings, rollback, commit, project, stateDir, null);
  }

  /**
   * Makes every image {@code commit} runs present on the host.
   *
   * @param rollback a rollback runs the kept images as they are and needs no registry; it builds
   *     only when its images were removed, and says so in the note
   * @param stateDir the release's own directory: the override file lives below it
   * @param rules the confinement and policy the model must pass before anything is pulled or
   *     built, or null for none
   */
  Prepared prepare(
      String release,
      ImageSettings settings,
      boolean rollback,
      String commit,
      ComposeProject project,
      Path stateDir,
      StackGuard.Rules rules)
      throws Failure {
    ImagePlan images;
    ComposeModel model = null;
    try {
      String config = compose.config(project);
      images = CommitImages.plan(project.name(), commit, config);
      if (rules != null) {
        model = guard.check(project, config, rules);
      }
    } catch (ComposeException e) {
      throw failure(e, Reason.ComposeInvalid);
    }
    ComposeProject run = project;
    if (images.buildsImages()) {
      run = withOverride(project, images, commit, stateDir);
    }
    for (Map.Entry<String, List<String>> group :
        images.pullGroups(settings.pullPolicy(), rollback).entrySet()) {
      try {
        List<String> pull = group.getValue();
        if (group.getKey().equals("missing")) {
          // Usually all there (always for a rollback's): one image inspect each is quicker than
          // the compose run that `pull --policy missing` would spend to find them there.
          pull = absent(project, images, pull);
        }
        if (!pull.isEmpty()) {
          compose.pull(run, group.getKey(), pull);
        }
      } catch (ComposeException e) {
        throw failure(e, Reason.PullFailed);
      }
    }
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> e : images.builtImages().entrySet()) {
      try {
        if (compose.imageId(project.dockerHost(), e.getValue()).isEmpty()) {
          missing.add(e.getKey());
        }
      } catch (ComposeException ex) {
        throw failure(ex, Reason.BuildFailed);
      }
    }
    String shortSha = ImagePlan.tag(commit);
    String note = null;
    if (rollback && !images.builtImages().isEmpty()) {
      if (missing.isEmpty()) {
        LOG.info("{}: rolling back to the kept images of {}, no build: {}", release, shortSha,
            images.builtImages().values());
      } else {
        note = "the images of " + shortSha + " for " + String.join(", ", missing)
            + " were gone from the host, so they were rebuilt from the kept checkout";
        LOG.warn("{}: {}", release, note);
      }
    }
    if (!missing.isEmpty()) {
      LOG.info("{}: building {} at {}", release, missing, shortSha);
      long started = System.nanoTime();
      try {
        compose.build(run, missing);
      } catch (ComposeException e) {
        throw failure(e, Reason.BuildFailed);
      }
      LOG.info("{}: built {} at {} in {} ms", release, missing, shortSha,
          (System.nanoTime() - started) / 1_000_000);
    }
    if (model != null) {
      guard.checkUsers(project, model, images.builtImages(), rules);
    }
    return new Prepared(run, note);
  }

  /** The services of {@code services} whose pulled image the host lacks. */
  private List<String> absent(ComposeProject project, ImagePlan images, List<String> services)
      throws ComposeException {
    List<String> absent = new ArrayList<>();
    for (String service : services) {
      if (compose.imageId(project.dockerHost(), images.pulledImages().get(service)).isEmpty()) {
        absent.add(service);
      }
    }
    return absent;
  }

  /**
   * Removes this project's images of commits {@link ImageRetention} does not keep. Best effort: an
   * image a container still uses is refused by the engine and stays.
   */
  void retain(String release, ImageSettings settings, StagingReleaseStatus status, String project,
      DockerEndpoint dockerHost) {
    Set<String> keep = ImageRetention.commitsToKeep(status, settings.keepImages());
    try {
      List<String> images = compose.images(dockerHost, ImagePlan.PROJECT_LABEL, project);
      for (String image : ImageRetention.removable(images, keep)) {
        if (compose.removeImage(dockerHost, image)) {
          LOG.info("{}: removed image {} (commit neither current, last-known-good nor among the last {} deployed)",
              release, image, settings.keepImages());
        }
      }
    } catch (ComposeException e) {
      LOG.warn("{}: image retention skipped: {}", release, e.getMessage());
    }
  }

  private static ComposeProject withOverride(
      ComposeProject project, ImagePlan images, String commit, Path stateDir) throws Failure {
    Path file = new StateLayout.ReleaseDir(stateDir).imagesOverride(commit);
    try {
      // Written whole then renamed, so a concurrent reader never sees half a file.
      AtomicFile.write(
          file, images.overrideYaml().getBytes(StandardCharsets.UTF_8), AtomicFile.Access.READABLE);
    } catch (IOException e) {
      throw new Failure(Reason.BuildFailed, "cannot write the image override file " + file + ": " + e.getMessage());
    }
    Path projectDir = project.directory().toAbsolutePath().normalize();
    List<String> files = new ArrayList<>(CommitImages.effectiveFiles(projectDir, project.files()));
    files.add(file.toAbsolutePath().toString());
    return project.withFiles(files);
  }

  private static Failure failure(ComposeException e, Reason reason) {
    if (e.engineFault() != null) {
      // The engine's or host's fault (disk full, registry unreachable...): retried, not the commit's.
      return new Failure(e.engineFault().reason(), e.getMessage());
    }
    return switch (e.kind()) {
      case UNAVAILABLE -> new Failure(Reason.DockerUnavailable, e.getMessage());
      case INVALID -> new Failure(Reason.ComposeInvalid, e.getMessage());
      case FAILED -> new Failure(reason, e.getMessage());
    };
  }
}
