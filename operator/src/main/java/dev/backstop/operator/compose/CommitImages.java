package dev.backstop.operator.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.compose.ComposeException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The images one commit of a stack runs: for every service with `build:`, an image named for the
 * project and the commit, so that each commit's code has its own image and a rollback can run the
 * old one as it is. Compose alone names a built image `<project>-<service>` with no tag and does not
 * rebuild it when it exists, which runs the wrong commit's code in both directions.
 *
 * <p>Pure: made from `docker compose config --format json` of the commit's checkout; the user's
 * compose files are never edited, an override file carries the names instead.
 */
public final class CommitImages {

  /** Image label naming the compose project that built the image; retention lists by it. */
  public static final String PROJECT_LABEL = "dev.backstop.project";

  /** Image label naming the full commit the image was built from. */
  public static final String COMMIT_LABEL = "dev.backstop.commit";

  /** How many hex digits of the commit go into an image tag; 12 keeps collisions out of reach. */
  static final int TAG_LENGTH = 12;

  // Compose's default lookup (compose-go DefaultFileNames / DefaultOverrideFileNames), in its order.
  private static final List<String> DEFAULT_FILES =
      List.of("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml");
  private static final List<String> DEFAULT_OVERRIDES =
      List.of(
          "compose.override.yml",
          "compose.override.yaml",
          "docker-compose.override.yml",
          "docker-compose.override.yaml");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String project;
  private final String commit;
  private final Map<String, String> built;
  private final Map<String, String> pullPolicies;

  private CommitImages(
      String project, String commit, Map<String, String> built, Map<String, String> pullPolicies) {
    this.project = project;
    this.commit = commit;
    this.built = built;
    this.pullPolicies = pullPolicies;
  }

  /**
   * Reads a commit's resolved compose model.
   *
   * @param configJson output of `docker compose config --format json`
   * @throws ComposeException ({@link Kind#INVALID}) when the output is not a compose model
   */
  public static CommitImages of(String project, String commit, String configJson)
      throws ComposeException {
    JsonNode services;
    try {
      services = JSON.readTree(configJson).path("services");
    } catch (IOException e) {
      throw new ComposeException(
          Kind.INVALID, "docker compose config printed no JSON model: " + e.getMessage(), e);
    }
    Map<String, String> built = new TreeMap<>();
    Map<String, String> pulled = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      JsonNode def = service.getValue();
      String image = def.path("image").isTextual() ? def.path("image").asText() : null;
      if (def.hasNonNull("build")) {
        built.put(service.getKey(), imageFor(project, service.getKey(), image, commit));
      } else if (image != null) {
        pulled.put(service.getKey(), def.path("pull_policy").asText(""));
      }
    }
    return new CommitImages(project, commit, built, pulled);
  }

  /**
   * The per-commit image of a built service: its explicit `image:` with the commit as tag, or
   * `<project>-<service>:<commit>` as Compose would name it, plus the tag.
   */
  static String imageFor(String project, String service, String explicit, String commit) {
    String tag = tag(commit);
    if (explicit == null || explicit.isBlank()) {
      return project + "-" + service + ":" + tag;
    }
    String repo = explicit;
    int digest = repo.indexOf('@');
    if (digest >= 0) {
      repo = repo.substring(0, digest);
    }
    // A colon after the last slash is a tag; one before it is a registry port (host:5000/app).
    int colon = repo.lastIndexOf(':');
    if (colon > repo.lastIndexOf('/')) {
      repo = repo.substring(0, colon);
    }
    return repo + ":" + tag;
  }

  /** The tag of a commit's images. */
  public static String tag(String commit) {
    return commit.substring(0, Math.min(TAG_LENGTH, commit.length()));
  }

  /** Built services and the image each runs at this commit. */
  public Map<String, String> builtImages() {
    return built;
  }

  /** Whether the stack builds anything; a stack of pulled images needs no override. */
  public boolean buildsImages() {
    return !built.isEmpty();
  }

  /**
   * Services with a plain `image:` grouped by the pull policy to apply before `up`.
   *
   * @param policy spec.compose.pullPolicy (missing, always, never), or null for each service's own
   *     pull_policy, as `up` would apply it
   * @param rollback a rollback never insists on a registry: the images it runs were there before
   * @return "missing" and/or "always" to the services to pull with that policy
   */
  public Map<String, List<String>> pullGroups(String policy, boolean rollback) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : pullPolicies.entrySet()) {
      String effective = policy != null ? policy : serviceDefault(e.getValue());
      if (rollback && effective.equals("always")) {
        effective = "missing";
      }
      if (effective.equals("never")) {
        continue;
      }
      groups.computeIfAbsent(effective, k -> new ArrayList<>()).add(e.getKey());
    }
    return groups;
  }

  // Compose's own pull_policy values, folded onto the two that `compose pull --policy` knows.
  private static String serviceDefault(String pullPolicy) {
    return switch (pullPolicy) {
      case "always" -> "always";
      case "never", "build" -> "never";
      default -> "missing";
    };
  }

  /**
   * The override file: each built service's per-commit image name, and labels on the image that
   * say which project and commit it belongs to (retention and the rollback check read them).
   */
  public String overrideYaml() {
    StringBuilder y = new StringBuilder();
    y.append("# Generated by Backstop for commit ").append(commit).append(": one image per commit.\n");
    y.append("services:\n");
    for (Map.Entry<String, String> e : built.entrySet()) {
      y.append("  ").append(quote(e.getKey())).append(":\n");
      y.append("    image: ").append(quote(e.getValue())).append('\n');
      y.append("    build:\n");
      y.append("      labels:\n");
      y.append("        ").append(PROJECT_LABEL).append(": ").append(quote(project)).append('\n');
      y.append("        ").append(COMMIT_LABEL).append(": ").append(quote(commit)).append('\n');
    }
    return y.toString();
  }

  // JSON strings are YAML double-quoted scalars: safe for any service name or image reference.
  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The compose files Compose would read for {@code files}: the given ones, or, when none are
   * given, its default lookup in the project directory. An extra `-f` turns the lookup off, so the
   * override must be added to the files it would have found.
   */
  public static List<String> effectiveFiles(Path directory, List<String> files) {
    if (!files.isEmpty()) {
      return files;
    }
    List<String> found = new ArrayList<>();
    DEFAULT_FILES.stream().filter(f -> Files.isRegularFile(directory.resolve(f))).findFirst().ifPresent(found::add);
    if (!found.isEmpty()) {
      DEFAULT_OVERRIDES.stream()
          .filter(f -> Files.isRegularFile(directory.resolve(f)))
          .findFirst()
          .ifPresent(found::add);
    }
    return found;
  }
}
