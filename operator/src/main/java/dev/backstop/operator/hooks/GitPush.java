package dev.backstop.operator.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a push webhook of GitHub, Gitea or GitLab says: which repository (by every URL the payload
 * names) and which ref.
 *
 * @param repositoryUrls the repository's URLs as the payload spells them (clone, ssh, web)
 * @param ref the pushed ref (refs/heads/main), or null
 */
public record GitPush(Set<String> repositoryUrls, String ref) {

  private static final ObjectMapper JSON = new ObjectMapper();

  // GitHub and Gitea put these under "repository"; GitLab under "project" (and older ones under
  // "repository" again).
  private static final List<String> URL_FIELDS =
      List.of("clone_url", "ssh_url", "html_url", "git_url", "url", "git_http_url", "git_ssh_url", "web_url",
          "homepage");

  public GitPush {
    repositoryUrls = Set.copyOf(repositoryUrls);
  }

  /**
   * Reads a push payload.
   *
   * @throws IllegalArgumentException when it is not JSON or names no repository URL
   */
  public static GitPush parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("the payload is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the payload is not a JSON object");
    }
    Set<String> urls = new LinkedHashSet<>();
    for (String holder : List.of("repository", "project")) {
      JsonNode node = root.path(holder);
      for (String field : URL_FIELDS) {
        JsonNode url = node.path(field);
        if (url.isTextual() && !url.asText().isBlank()) {
          urls.add(url.asText());
        }
      }
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(
          "the payload names no repository URL (repository.clone_url, project.git_http_url, ...)");
    }
    JsonNode ref = root.path("ref");
    return new GitPush(urls, ref.isTextual() ? ref.asText() : null);
  }

  /** Whether {@code sourceUrl} (a spec.source.url) names this push's repository. */
  public boolean matches(String sourceUrl) {
    String wanted = RepoUrl.normalise(sourceUrl);
    return wanted != null && repositoryUrls.stream().map(RepoUrl::normalise).anyMatch(wanted::equals);
  }
}
