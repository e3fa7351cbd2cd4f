package dev.backstop.operator.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Push payloads of the three providers match spec.source.url however either spells the repository. */
class GitPushTest {

  @Test
  void everySpellingOfARepositoryIsOne() {
    String canonical = RepoUrl.normalise("https://github.com/acme/shop.git");
    assertThat(canonical).isEqualTo("github.com/acme/shop");
    for (String url : new String[] {"https://GitHub.com/acme/shop", "http://user:tok@github.com/acme/shop/",
        "ssh://git@github.com:22/acme/shop.git", "git@github.com:acme/shop.git", "git://github.com/acme/shop"}) {
      assertThat(RepoUrl.normalise(url)).as(url).isEqualTo(canonical);
    }
    assertThat(RepoUrl.normalise("file:///srv/git/shop.git")).isEqualTo(RepoUrl.normalise("/srv/git/shop/"));
    assertThat(RepoUrl.normalise("https://github.com/acme/shop-api")).isNotEqualTo(canonical);
    assertThat(RepoUrl.normalise(" ")).isNull();
  }

  @Test
  void githubGiteaAndGitlabPayloadsNameTheirRepository() {
    GitPush github = GitPush.parse(bytes("{\"ref\":\"refs/heads/main\",\"repository\":{"
        + "\"clone_url\":\"https://github.com/acme/shop.git\",\"ssh_url\":\"git@github.com:acme/shop.git\"}}"));
    assertThat(github.ref()).isEqualTo("refs/heads/main");
    assertThat(github.matches("git@github.com:acme/shop")).isTrue();
    assertThat(github.matches("https://github.com/acme/other.git")).isFalse();
    GitPush gitlab = GitPush.parse(bytes("{\"ref\":\"refs/heads/main\",\"project\":{"
        + "\"git_http_url\":\"https://gitlab.example.com/team/shop.git\"}}"));
    assertThat(gitlab.matches("https://gitlab.example.com/team/shop")).isTrue();
    assertThatThrownBy(() -> GitPush.parse(bytes("{\"ref\":\"x\"}"))).hasMessageContaining("names no repository URL");
    assertThatThrownBy(() -> GitPush.parse(bytes("not json"))).hasMessageContaining("not JSON");
  }

  @Test
  void signaturesAreCheckedPerProvider() {
    byte[] body = bytes("{\"repository\":{}}");
    String secret = "hook-secret-1";
    String hmac = HookSignature.hmacHex(body, secret);
    assertThat(HookSignature.verify(Map.of("X-Hub-Signature-256", "sha256=" + hmac)::get, body, secret).ok()).isTrue();
    assertThat(HookSignature.verify(Map.of("X-Gitea-Signature", hmac, "X-Hub-Signature-256", "sha256=bad")::get,
        body, secret).provider()).isEqualTo(HookSignature.Provider.Gitea);
    assertThat(HookSignature.verify(Map.of("X-Gitlab-Token", secret)::get, body, secret).ok()).isTrue();
    assertThat(HookSignature.verify(Map.of("X-Hub-Signature-256", hmac)::get, body, secret).refusal())
        .contains("sha256=");
    assertThat(HookSignature.verify(Map.of("X-Hub-Signature-256", "sha256=" + hmac)::get, bytes("{}"), secret)
        .refusal()).contains("does not match");
    assertThat(HookSignature.verify(Map.<String, String>of()::get, body, secret).refusal()).contains("unsigned");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
