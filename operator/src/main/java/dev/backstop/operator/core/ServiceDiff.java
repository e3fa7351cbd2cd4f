package dev.backstop.operator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What would change per service between two rendered compose models: image, command, environment
 * keys (never values), ports, volumes and healthcheck.
 */
public final class ServiceDiff {

  private ServiceDiff() {}

  /**
   * The fields of a rendered service that a diff compares.
   *
   * @param environmentKeys the variable names only: values may be secrets
   * @param healthcheck the healthcheck in one line, or null when the service has none
   */
  public record Definition(
      String image,
      String command,
      List<String> environmentKeys,
      List<String> ports,
      List<String> volumes,
      String healthcheck) {
    public Definition {
      environmentKeys = List.copyOf(new TreeSet<>(environmentKeys));
      ports = List.copyOf(ports);
      volumes = List.copyOf(volumes);
    }
  }

  /**
   * One difference of one service.
   *
   * @param field image, command, environment, ports, volumes, healthcheck, or service (added or
   *     removed as a whole)
   * @param from the running commit's value ("" for none)
   * @param to the other commit's value ("" for none)
   */
  public record Change(String service, String field, String from, String to) {}

  /** The changes from {@code running} to {@code target}, by service name, then field. */
  public static List<Change> between(Map<String, Definition> running, Map<String, Definition> target) {
    List<Change> changes = new ArrayList<>();
    TreeSet<String> services = new TreeSet<>(running.keySet());
    services.addAll(target.keySet());
    for (String service : services) {
      Definition a = running.get(service);
      Definition b = target.get(service);
      if (a == null) {
        changes.add(new Change(service, "service", "", "added"));
      } else if (b == null) {
        changes.add(new Change(service, "service", "removed", ""));
      } else {
        compare(changes, service, "image", a.image(), b.image());
        compare(changes, service, "command", a.command(), b.command());
        keys(changes, service, a.environmentKeys(), b.environmentKeys());
        compare(changes, service, "ports", String.join(", ", a.ports()), String.join(", ", b.ports()));
        compare(changes, service, "volumes", String.join(", ", a.volumes()), String.join(", ", b.volumes()));
        compare(changes, service, "healthcheck", a.healthcheck(), b.healthcheck());
      }
    }
    return changes;
  }

  private static void compare(List<Change> changes, String service, String field, String from, String to) {
    String a = from == null ? "" : from;
    String b = to == null ? "" : to;
    if (!Objects.equals(a, b)) {
      changes.add(new Change(service, field, a, b));
    }
  }

  // Only which names come and go: a changed value is not shown, as it may be a secret.
  private static void keys(List<Change> changes, String service, List<String> from, List<String> to) {
    List<String> removed = from.stream().filter(k -> !to.contains(k)).toList();
    List<String> added = to.stream().filter(k -> !from.contains(k)).toList();
    if (!removed.isEmpty() || !added.isEmpty()) {
      changes.add(new Change(service, "environment", removed.isEmpty() ? "" : "- " + String.join(", ", removed),
          added.isEmpty() ? "" : "+ " + String.join(", ", added)));
    }
  }
}
