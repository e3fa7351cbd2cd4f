package dev.backstop.operator.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The images one commit of a stack runs: for every service with `build:`, an image named for the
 * project and the commit, so that each commit's code has its own image and a rollback can run the
 * old one as it is. Compose alone names a built image `<project>-<service>` with no tag and does not
 * rebuild it when it exists, which runs the wrong commit's code in both directions.
 *
 * <p>The user's compose files are never edited: an override file carries the names instead.
 */
public final class ImagePlan {

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

  /**
   * One service of the resolved compose model, as far as images go.
   *
   * @param builds whether it has `build:`
   * @param image its `image:`, or null
   * @param pullPolicy its `pull_policy`, or "" when it names none
   */
  public record Service(String name, boolean builds, String image, String pullPolicy) {}

  private final String project;
  private final String commit;
  private final Map<String, String> built;
  private final Map<String, String> pullPolicies;
  private final Map<String, String> pulled;

  private ImagePlan(
      String project,
      String commit,
      Map<String, String> built,
      Map<String, String> pullPolicies,
      Map<String, String> pulled) {
    this.project = project;
    this.commit = commit;
    this.built = built;
    this.pullPolicies = pullPolicies;
    this.pulled = pulled;
  }

  /** The plan for {@code commit} of {@code project} running {@code services}. */
  public static ImagePlan of(String project, String commit, List<Service> services) {
    Map<String, String> built = new TreeMap<>();
    Map<String, String> policies = new TreeMap<>();
    Map<String, String> pulled = new TreeMap<>();
    for (Service s : services) {
      if (s.builds()) {
        built.put(s.name(), imageFor(project, s.name(), s.image(), commit));
      } else if (s.image() != null) {
        policies.put(s.name(), s.pullPolicy() == null ? "" : s.pullPolicy());
        pulled.put(s.name(), s.image());
      }
    }
    return new ImagePlan(project, commit, built, policies, pulled);
  }

  /**
   * The per-commit image of a built service: its explicit `image:` with the commit as tag, or
   * `<project>-<service>:<commit>` as Compose would name it, plus the tag.
   */
  public static String imageFor(String project, String service, String explicit, String commit) {
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

  /** Services with a plain `image:` (no `build:`) and the image each names. */
  public Map<String, String> pulledImages() {
    return pulled;
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

  /**
   * A YAML double-quoted scalar, safe for any service name or image reference: backslash, quote
   * and every control or line-breaking character are escaped.
   */
  static String quote(String s) {
    StringBuilder q = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\r' -> q.append("\\r");
        case '\t' -> q.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xfeff
              || Character.isSurrogate(c) && !validPair(s, i)) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /**
   * The compose files Compose would read for {@code files}: the given ones, or, when none are
   * given, its default lookup among the files that {@code exists} in the project directory. An
   * extra `-f` turns the lookup off, so the override must be added to the files it would have found.
   */
  public static List<String> effectiveFiles(List<String> files, Predicate<String> exists) {
    if (!files.isEmpty()) {
      return files;
    }
    List<String> found = new ArrayList<>();
    DEFAULT_FILES.stream().filter(exists).findFirst().ifPresent(found::add);
    if (!found.isEmpty()) {
      DEFAULT_OVERRIDES.stream().filter(exists).findFirst().ifPresent(found::add);
    }
    return found;
  }
}
