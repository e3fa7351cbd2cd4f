package dev.backstop.operator.hooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook delivery was made with the shared secret: GitHub's {@code
 * X-Hub-Signature-256: sha256=HEX} and Gitea's {@code X-Gitea-Signature: HEX} are HMAC-SHA256 of the
 * body; GitLab sends the secret itself as {@code X-Gitlab-Token}.
 */
public final class HookSignature {

  /** Who sent a delivery, from the header it is signed with. */
  public enum Provider {
    GitHub,
    Gitea,
    GitLab
  }

  /** A delivery accepted as {@code provider}'s, or refused with a sentence saying why. */
  public record Verdict(Provider provider, String refusal) {
    public boolean ok() {
      return refusal == null;
    }
  }

  private HookSignature() {}

  /**
   * @param header the request's header of that name (case-insensitive), or null
   * @param secret the shared secret
   */
  public static Verdict verify(Function<String, String> header, byte[] body, String secret) {
    // Gitea also sends GitHub's header for compatibility: its own one is checked first.
    String gitea = header.apply("X-Gitea-Signature");
    if (gitea != null) {
      return hmacMatches(gitea, body, secret)
          ? new Verdict(Provider.Gitea, null)
          : new Verdict(Provider.Gitea, "X-Gitea-Signature does not match the body signed with the hook secret");
    }
    String github = header.apply("X-Hub-Signature-256");
    if (github != null) {
      String hex = github.strip();
      if (!hex.toLowerCase(Locale.ROOT).startsWith("sha256=")) {
        return new Verdict(Provider.GitHub, "X-Hub-Signature-256 must be sha256=<hex HMAC of the body>");
      }
      return hmacMatches(hex.substring("sha256=".length()), body, secret)
          ? new Verdict(Provider.GitHub, null)
          : new Verdict(Provider.GitHub, "X-Hub-Signature-256 does not match the body signed with the hook secret");
    }
    String gitlab = header.apply("X-Gitlab-Token");
    if (gitlab != null) {
      return MessageDigest.isEqual(gitlab.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))
          ? new Verdict(Provider.GitLab, null)
          : new Verdict(Provider.GitLab, "X-Gitlab-Token is not the hook secret");
    }
    return new Verdict(null, "unsigned delivery: set the webhook's secret to the hook secret, so that it sends"
        + " X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab)");
  }

  /** The lowercase hex HMAC-SHA256 of {@code body} with {@code secret}, as GitHub and Gitea sign. */
  public static String hmacHex(byte[] body, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static boolean hmacMatches(String presentedHex, byte[] body, String secret) {
    byte[] expected = hmacHex(body, secret).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = presentedHex.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, presented);
  }
}
