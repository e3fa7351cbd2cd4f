package dev.backstop.operator.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `backstop init`'s manifest: a StagingRelease for a repository's compose stack with a
 * serviceHealth check, and an http check on the published port of each service whose healthcheck
 * fetches an http URL of its own container. Pure: the rendered services come in, YAML text goes out.
 */
public final class StarterManifest {

  // curl/wget of the container's own address: http://localhost:8080/health, http://127.0.0.1/...
  private static final Pattern OWN_URL = Pattern.compile(
      "\\bhttps?://(?:localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1])(?::(\\d{1,5}))?(/[^\\s'\"|;&)]*)?");
  private static final Pattern HTTP_CLIENT = Pattern.compile("(?:^|[\\s/'\"])(curl|wget)(?:\\s|$)");
  private static final Pattern NAME_CHARS = Pattern.compile("[^a-z0-9-]+");

  private StarterManifest() {}

  /** An http check the manifest will hold: its name and URL, and the service it came from. */
  public record HttpProbe(String name, String service, String url) {}

  /**
   * The http checks {@code services} suggest: for each healthcheck that runs curl or wget against
   * http://localhost:PORT/path, the same path on the host port that publishes PORT (one per
   * service and path; services that publish no such port get none).
   */
  public static List<HttpProbe> httpProbes(List<ServiceOutline> services) {
    List<HttpProbe> probes = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (ServiceOutline s : services) {
      String test = String.join(" ", s.healthcheck().size() > 1 ? s.healthcheck().subList(1, s.healthcheck().size())
          : List.of());
      if (!HTTP_CLIENT.matcher(test).find()) {
        continue;
      }
      Matcher m = OWN_URL.matcher(test);
      if (!m.find()) {
        continue;
      }
      int target = m.group(1) != null ? Integer.parseInt(m.group(1)) : m.group(0).startsWith("https") ? 443 : 80;
      String path = m.group(2) == null ? "/" : m.group(2);
      for (ServiceOutline.Published p : s.ports()) {
        if (p.target() != target || !p.protocol().equals("tcp")) {
          continue;
        }
        String host = p.hostIp().isEmpty() || p.hostIp().equals("0.0.0.0") ? "127.0.0.1"
            : p.hostIp().contains(":") ? "[" + p.hostIp() + "]" : p.hostIp();
        String name = unique(names, checkName(s.name()));
        probes.add(new HttpProbe(name, s.name(),
            (m.group(0).startsWith("https") ? "https" : "http") + "://" + host + ":" + p.published() + path));
        break;
      }
    }
    return probes;
  }

  /** A release name from a repository URL or path: its last segment, lower case, without .git. */
  public static String nameFor(String repo) {
    String last = repo.replaceAll("[/\\\\]+$", "");
    last = last.substring(Math.max(last.lastIndexOf('/'), last.lastIndexOf(':')) + 1);
    last = last.replaceFirst("(?i)\\.git$", "").toLowerCase(Locale.ROOT);
    String name = NAME_CHARS.matcher(last).replaceAll("-").replaceAll("^-+|-+$", "");
    return name.isEmpty() ? "my-app" : name.length() > 63 ? name.substring(0, 63).replaceAll("-+$", "") : name;
  }

  /**
   * The manifest's YAML.
   *
   * @param composePath the directory of the compose files in the repository ("." for its root)
   * @param services the services of the rendered compose model
   */
  public static String yaml(String name, String url, String ref, String composePath, List<ServiceOutline> services) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by `backstop init` from the compose files of ").append(url).append(" at ").append(ref)
        .append(".\n# Services: ").append(String.join(", ", services.stream().map(ServiceOutline::name).toList()))
        .append(". Edit the checks to what a healthy release means to you.\n");
    y.append("apiVersion: backstop.dev/v1alpha1\nkind: StagingRelease\nmetadata:\n  name: ").append(name).append('\n');
    y.append("spec:\n  source:\n    url: ").append(quote(url)).append("\n    ref: ").append(quote(ref)).append('\n');
    y.append("  compose:\n    path: ").append(quote(composePath)).append('\n');
    y.append("  health:\n    progressDeadline: 2m\n    interval: 10s\n    checks:\n");
    y.append("      - name: services         # every service running, healthy where it has a healthcheck\n");
    y.append("        type: serviceHealth\n");
    for (HttpProbe p : httpProbes(services)) {
      y.append("      - name: ").append(p.name()).append("         # from service ").append(p.service())
          .append("'s healthcheck\n");
      y.append("        type: http\n        url: ").append(quote(p.url())).append('\n');
    }
    y.append("  rollback:\n    automatic: true\n");
    return y.toString();
  }

  private static String checkName(String service) {
    String base = NAME_CHARS.matcher(service.toLowerCase(Locale.ROOT)).replaceAll("-").replaceAll("^-+|-+$", "");
    return (base.isEmpty() ? "service" : base) + "-http";
  }

  private static String unique(Set<String> taken, String name) {
    String candidate = name;
    for (int i = 2; !taken.add(candidate); i++) {
      candidate = name + "-" + i;
    }
    return candidate;
  }

  // Double-quoted, so that a ref like 0123 or yes stays the string it is.
  private static String quote(String value) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        default -> q.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
      }
    }
    return q.append('"').toString();
  }
}
