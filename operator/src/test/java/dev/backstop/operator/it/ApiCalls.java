package dev.backstop.operator.it;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Maps API requests to what RBAC checks for them: "group/resource[/subresource]" and a verb, as
 * the API server's request info does. Discovery and self-reviews are left out: every
 * authenticated user may make them (system:discovery, system:basic-user).
 */
final class ApiCalls {

  private ApiCalls() {}

  /** From "METHOD /path?query" lines. */
  static Map<String, TreeSet<String>> of(List<String> requests) {
    Map<String, TreeSet<String>> calls = new TreeMap<>();
    byNamespace(requests).values().forEach(scope -> scope.forEach((resource, verbs) ->
        calls.computeIfAbsent(resource, k -> new TreeSet<>()).addAll(verbs)));
    return calls;
  }

  /**
   * As {@link #of}, per namespace the request was scoped to ("" for cluster-wide requests, such
   * as a list or watch across all namespaces): what Roles in each namespace must grant.
   */
  static Map<String, Map<String, TreeSet<String>>> byNamespace(List<String> requests) {
    Map<String, Map<String, TreeSet<String>>> scoped = new TreeMap<>();
    for (String line : requests) {
      String method = line.substring(0, line.indexOf(' '));
      URI uri = URI.create(line.substring(line.indexOf(' ') + 1));
      String[] parts = uri.getPath().replaceAll("^/|/$", "").split("/");
      String group;
      int i;
      if (parts[0].equals("api") && parts.length > 2) {
        group = "";
        i = 2;
      } else if (parts[0].equals("apis") && parts.length > 3) {
        group = parts[1];
        i = 3;
      } else {
        continue; // discovery: /api, /apis, /apis/GROUP/VERSION
      }
      if (group.equals("authorization.k8s.io") && parts[i].startsWith("selfsubject")) {
        continue;
      }
      String namespace = "";
      if (parts[i].equals("namespaces") && parts.length > i + 2) {
        namespace = parts[i + 1];
        i += 2;
      }
      String resource = parts[i];
      boolean named = parts.length > i + 1;
      if (parts.length > i + 2) {
        resource += "/" + parts[i + 2];
      }
      boolean watch = uri.getQuery() != null && uri.getQuery().matches("(.*&)?watch=(true|1)(&.*)?");
      String verb = switch (method) {
        case "GET" -> watch ? "watch" : named ? "get" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> named ? "delete" : "deletecollection";
        default -> method.toLowerCase();
      };
      scoped.computeIfAbsent(namespace, k -> new TreeMap<>())
          .computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).add(verb);
    }
    return scoped;
  }
}
