package dev.backstop.operator.core;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What spec.source.url and spec.source.ref may look like. Both reach JGit only, never a shell, but
 * a value shaped like an option or a command is a mistake or an attack, and is said so up front.
 */
final class SourceRules {

  static final int MAX_REF = 255;
  static final int MAX_URL = 2048;

  // Branch, tag and SHA characters; git allows a few more, none of which a real ref needs.
  private static final Pattern REF = Pattern.compile("[A-Za-z0-9._/+@-]+");
  // scheme://user:password@host...: the password is the only part that must never be repeated.
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@.*");

  private SourceRules() {}

  static void check(List<String> problems, String url, String ref) {
    if (ref != null && !ref.isBlank()) {
      String r = ref.trim();
      if (r.length() > MAX_REF) {
        problems.add("spec.source.ref is " + r.length() + " characters long; a ref has at most " + MAX_REF);
      } else if (r.startsWith("-") || r.startsWith("/") || r.contains("..") || !REF.matcher(r).matches()) {
        problems.add("spec.source.ref '" + Durations.abbreviate(r) + "' is not a branch, tag or commit SHA: use"
            + " letters, digits and . _ / + @ -, not starting with - or /");
      }
    }
    if (url != null && !url.isBlank()) {
      String u = url.trim();
      if (u.length() > MAX_URL) {
        problems.add("spec.source.url is " + u.length() + " characters long; at most " + MAX_URL + " are accepted");
      } else if (PASSWORD_IN_URL.matcher(u).matches()) {
        // The message must not repeat the url: it holds the password.
        problems.add("spec.source.url holds a password; remove it from the url and put the credentials in the"
            + " Secret named by spec.source.secretRef (local mode: BACKSTOP_GIT_* environment variables)");
      } else if (u.startsWith("-") || u.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        problems.add("spec.source.url '" + Durations.abbreviate(u) + "' is not a repository URL: it starts with -"
            + " or holds spaces or control characters");
      }
    }
  }
}
