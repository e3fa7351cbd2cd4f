package dev.backstop.operator.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every host path a rendered compose model makes the engine or the CLI read (build contexts,
 * dockerfiles, bind-mount sources, env files, secret, config and volume device files) must stay
 * inside the release's checkout once symlinks are followed; an adapter does the following, this
 * class names the paths and judges the results.
 */
public final class Confinement {

  private Confinement() {}

  /**
   * One host path named by the model.
   *
   * @param owner "service web" or "top-level"
   * @param field the setting, e.g. "build.context", "volumes", "secrets.db.file"
   * @param path the path as Compose rendered it
   */
  public record PathRef(String owner, String field, String path) {
    /** How a refusal names it. */
    public String describe() {
      return owner + ": " + field + " '" + path + "'";
    }
  }

  /** The host paths of {@code model}, in the model's order. */
  public static List<PathRef> references(ComposeModel model) {
    List<PathRef> refs = new ArrayList<>();
    for (ComposeModel.Service s : model.services()) {
      String owner = "service " + s.name();
      if (s.buildContext() != null) {
        refs.add(new PathRef(owner, "build.context", s.buildContext()));
        if (s.dockerfile() != null) {
          refs.add(new PathRef(owner, "build.dockerfile",
              Path.of(s.buildContext()).resolve(s.dockerfile()).toString()));
        }
      }
      for (ComposeModel.Mount m : s.mounts()) {
        if (m.isBind() && m.source() != null) {
          refs.add(new PathRef(owner, "volumes (bind mount to " + m.target() + ")", m.source()));
        }
      }
      for (String envFile : s.envFiles()) {
        refs.add(new PathRef(owner, "env_file", envFile));
      }
    }
    for (ComposeModel.HostFile f : model.files()) {
      refs.add(new PathRef("top-level", f.field(), f.path()));
    }
    return refs;
  }

  /**
   * The refusal for the first path outside {@code checkout}, or empty when all are inside.
   *
   * @param resolved each reference and its real path (symlinks followed; for a path that does not
   *     exist yet, its nearest existing ancestor's real path plus the rest), or null when it cannot
   *     be resolved (refused: what cannot be checked is not run)
   * @param checkout the real path of the release's checkout
   */
  public static Optional<String> refusal(Map<PathRef, Path> resolved, Path checkout) {
    for (Map.Entry<PathRef, Path> e : resolved.entrySet()) {
      Path real = e.getValue();
      if (real == null || !real.normalize().startsWith(checkout)) {
        String where = real == null ? "cannot be resolved" : real.toString().equals(e.getKey().path())
            ? "is outside the checkout" : "resolves to " + real + ", outside the checkout";
        return Optional.of(e.getKey().describe() + " " + where
            + "; a stack may only use files of its own commit");
      }
    }
    return Optional.empty();
  }
}
