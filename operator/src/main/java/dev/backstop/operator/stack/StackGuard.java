package dev.backstop.operator.stack;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.compose.ComposeDriver;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeModels;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.core.ComposeModel;
import dev.backstop.operator.core.ComposePolicy;
import dev.backstop.operator.core.Confinement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks between rendering a commit's model and touching anything: every host path it names
 * resolves (symlinks followed) inside the checkout, and it asks for nothing its policy refuses.
 * The judging is {@link Confinement} and {@link ComposePolicy}; this class does the I/O.
 */
final class StackGuard {

  /**
   * What to hold one commit to.
   *
   * @param checkout the commit's checkout: every path must stay inside it
   * @param level the policy the release runs under
   */
  record Rules(Path checkout, PolicyLevel level) {}

  private final ComposeDriver compose;

  StackGuard(ComposeDriver compose) {
    this.compose = compose;
  }

  /** Refuses a model that leaves the checkout or breaks the policy; returns it otherwise. */
  ComposeModel check(ComposeProject project, String configJson, Rules rules) throws StackImages.Failure {
    ComposeModel model;
    try {
      model = ComposeModels.parse(configJson, compose.rawConfig(project));
    } catch (ComposeException e) {
      throw new StackImages.Failure(
          e.kind() == ComposeException.Kind.UNAVAILABLE ? Reason.DockerUnavailable : Reason.ComposeInvalid,
          e.getMessage());
    }
    Path root;
    try {
      root = rules.checkout().toRealPath();
    } catch (IOException e) {
      throw new StackImages.Failure(Reason.ComposeInvalid, "the checkout " + rules.checkout() + " cannot be read");
    }
    Map<Confinement.PathRef, Path> resolved = new LinkedHashMap<>();
    for (Confinement.PathRef ref : Confinement.references(model)) {
      // An env file named with a variable cannot be checked before Compose reads it.
      boolean unresolved = ref.field().equals("env_file") && ref.path().contains("$");
      resolved.put(ref, unresolved ? null : realPath(Path.of(ref.path())));
    }
    Optional<String> outside = Confinement.refusal(resolved, root);
    if (outside.isPresent()) {
      throw new StackImages.Failure(Reason.ComposeInvalid, outside.get());
    }
    List<ComposePolicy.Violation> violations = ComposePolicy.judge(rules.level(), model);
    if (!violations.isEmpty()) {
      throw new StackImages.Failure(Reason.PolicyViolation, ComposePolicy.message(rules.level(), violations));
    }
    return model;
  }

  /**
   * Restricted's root rule, once the images are on the host (pulled or built, no container yet).
   *
   * @param built service to the per-commit image name Backstop built it as
   */
  void checkUsers(ComposeProject project, ComposeModel model, Map<String, String> built, Rules rules)
      throws StackImages.Failure {
    Map<String, String> users = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : ComposePolicy.imagesToInspect(rules.level(), model).entrySet()) {
      String image = built.getOrDefault(e.getKey(), e.getValue());
      try {
        compose.imageUser(project.dockerHost(), image).ifPresent(u -> users.put(e.getKey(), u));
      } catch (ComposeException ex) {
        throw new StackImages.Failure(
            ex.kind() == ComposeException.Kind.UNAVAILABLE ? Reason.DockerUnavailable : Reason.PullFailed,
            ex.getMessage());
      }
    }
    List<ComposePolicy.Violation> violations = ComposePolicy.judgeUsers(rules.level(), model, users);
    if (!violations.isEmpty()) {
      throw new StackImages.Failure(Reason.PolicyViolation, ComposePolicy.message(rules.level(), violations));
    }
  }

  /**
   * The real path of {@code path}, or of its nearest existing ancestor plus the rest (Compose
   * creates missing bind-mount sources); null for a dangling symlink or an unreadable path.
   */
  static Path realPath(Path path) {
    Path existing = path.toAbsolutePath().normalize();
    Deque<Path> rest = new ArrayDeque<>();
    while (existing != null) {
      try {
        Path real = existing.toRealPath();
        for (Path part : rest) {
          real = real.resolve(part);
        }
        return real;
      } catch (NoSuchFileException e) {
        if (Files.isSymbolicLink(existing)) {
          return null;
        }
        rest.push(existing.getFileName());
        existing = existing.getParent();
      } catch (IOException e) {
        return null;
      }
    }
    return null;
  }
}
