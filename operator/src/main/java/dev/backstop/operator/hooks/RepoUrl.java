package dev.backstop.operator.hooks;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One spelling for the many of a repository URL, so that a push payload's URLs can be matched with
 * spec.source.url: https://host/o/r.git, ssh://git@host:22/o/r, git@host:o/r.git and
 * http://user@host/o/r/ are all "host/o/r"; local paths and file:// URLs are their normal path.
 */
public final class RepoUrl {

  // scp-like syntax: [user@]host:path, with no scheme.
  private static final Pattern SCP = Pattern.compile("^(?:[^@/]+@)?([^:/]+):(.+)$");

  private RepoUrl() {}

  /** The comparable form of {@code url}; null for null or blank. */
  public static String normalise(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    String s = url.strip();
    if (s.startsWith("file://")) {
      return "file:" + trim(Path.of(URI.create(s).getPath()).normalize().toString());
    }
    if (s.startsWith("/")) {
      return "file:" + trim(Path.of(s).normalize().toString());
    }
    if (!s.contains("://")) {
      Matcher m = SCP.matcher(s);
      if (m.matches()) {
        return (m.group(1) + "/" + trim(relative(m.group(2)))).toLowerCase(Locale.ROOT);
      }
      return trim(s).toLowerCase(Locale.ROOT);
    }
    try {
      URI uri = URI.create(s);
      String host = uri.getHost() == null ? "" : uri.getHost();
      return (host + "/" + trim(relative(uri.getPath() == null ? "" : uri.getPath()))).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return trim(s).toLowerCase(Locale.ROOT);
    }
  }

  private static String trim(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.endsWith(".git")) {
      p = p.substring(0, p.length() - ".git".length());
    }
    return p;
  }

  private static String relative(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p;
  }
}
