package dev.backstop.operator.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before anyone sees it: user info in URLs ({@code https://u:t@h} ->
 * {@code https://***@h}), {@code PASSWORD=}-style values and password options in commands, and
 * the exact values a release's Secrets hold. The one redactor behind logs, status, events, saved
 * specs and API answers. Immutable; {@link #with} adds values.
 */
public final class Redactor {

  /** What every secret is replaced with. */
  public static final String MASK = "***";

  // Values shorter than this are not searched for: "v1" or "db" would blank half a status.
  static final int MIN_VALUE_LENGTH = 4;

  // scheme://userinfo@ ; ssh user names alone (ssh://git@host) are no secret and stay.
  private static final Pattern URL_USER_INFO =
      Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*)://([^/\\s@'\"]+)@");
  private static final String VALUE = "('[^']*'|\"[^\"]*\"|[^\\s'\"]+)";
  // PGPASSWORD=x, MYSQL_PWD=x, DB_PASSWORD: x, API_TOKEN=x, AWS_SECRET_ACCESS_KEY=x
  // Environment names are upper case; in prose "secretRef: ..." is no assignment.
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "\\b([A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|TOKEN|SECRET|APIKEY|API_KEY|ACCESS_KEY)[A-Z0-9_]*)(=|:\\s?)"
          + VALUE + "|(?i)\\b(password|passwd|pwd|token|secret)(=)" + VALUE);
  // --password=x, --password x, --token=x
  private static final Pattern OPTION = Pattern.compile(
      "(?i)(?<![\\w-])(--(?:password|passwd|pass|token|secret)(?:-[a-z]+)?)(=|\\s+)" + VALUE);
  // mysql's -pSECRET (no space: with a space, -p prompts and the next word is the database)
  private static final Pattern SHORT_PASSWORD = Pattern.compile("(?<=^|[\\s'\"])-p([^\\s'\"]+)");

  private final List<String> values;

  private Redactor(List<String> values) {
    this.values = values;
  }

  /** A redactor for the usual patterns only. */
  public static Redactor patterns() {
    return new Redactor(List.of());
  }

  /** This redactor, also removing each of {@code secrets} (and each long line of a multi-line one). */
  public Redactor with(Collection<String> secrets) {
    List<String> all = new ArrayList<>(values);
    for (String secret : secrets) {
      if (secret == null) {
        continue;
      }
      add(all, secret.strip());
      if (secret.contains("\n")) {
        // PEM keys: a message may quote one line of them.
        secret.lines().map(String::strip).filter(l -> l.length() >= 16 && !l.startsWith("-----"))
            .forEach(l -> add(all, l));
      }
    }
    // Longest first, so that a value containing another is removed whole.
    all.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(all));
  }

  private static void add(List<String> all, String value) {
    if (value.length() >= MIN_VALUE_LENGTH && !all.contains(value)) {
      all.add(value);
    }
  }

  /** {@code text} without the secrets this redactor knows; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (String value : values) {
      result = result.replace(value, MASK);
    }
    // Each pattern runs only where the text holds a character its match cannot do without: every
    // string of every status passes here at every reconcile, and most are names, SHAs and times.
    if (result.indexOf('@') >= 0) {
      result = replaceUserInfo(result);
    }
    if (result.indexOf('=') >= 0 || result.indexOf(':') >= 0) {
      result = ASSIGNMENT.matcher(result).replaceAll(m -> Matcher.quoteReplacement(m.group(1) != null
          ? m.group(1) + m.group(2) + MASK : m.group(4) + m.group(5) + MASK));
    }
    if (result.contains("--")) {
      result = OPTION.matcher(result).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
    }
    if (result.contains("-p")) {
      result = SHORT_PASSWORD.matcher(result).replaceAll(m -> Matcher.quoteReplacement("-p" + MASK));
    }
    return result;
  }

  private static String replaceUserInfo(String text) {
    Matcher m = URL_USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      String userInfo = m.group(2);
      boolean sshUserOnly = scheme.contains("ssh") && !userInfo.contains(":");
      m.appendReplacement(out, Matcher.quoteReplacement(
          sshUserOnly || userInfo.equals(MASK) ? m.group() : m.group(1) + "://" + MASK + "@"));
    }
    m.appendTail(out);
    return out.toString();
  }
}
