package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.DriftedService;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares the containers of a project with what the running commit renders (`docker compose
 * config`): the services someone changed, removed or added by hand since Backstop applied it.
 */
public final class Drift {

  /**
   * How long the same drift is not re-applied again after a re-apply that did not repair it, so
   * that a difference `up` cannot remove never turns into a deploy every interval.
   */
  public static final Duration SAME_DRIFT_BACKOFF = Duration.ofMinutes(5);

  private Drift() {}

  /**
   * Whether self-heal may re-apply for {@code reason} now: not when the newest operation was a
   * re-apply for the very same drift that ended less than {@link #SAME_DRIFT_BACKOFF} ago.
   */
  public static boolean mayHeal(List<HistoryEntry> history, String reason, Instant now) {
    HistoryEntry last = history.stream().filter(h -> h.getResult() != Result.Refused).findFirst().orElse(null);
    if (last == null || last.getTrigger() != Trigger.Drift || last.getReason() == null
        || !last.getReason().startsWith(reason)) {
      return true;
    }
    Instant ended = Timestamps.parse(last.getEndTime());
    return ended != null && !now.isBefore(ended.plus(SAME_DRIFT_BACKOFF));
  }

  /**
   * What the applied commit renders for one service.
   *
   * @param image the image reference `up` creates its containers from
   * @param configHash Compose's hash of the definition (`config --hash`), or null when unknown
   */
  public record Expected(String image, String configHash) {}

  /**
   * The services that differ, by name; empty when nothing does or when {@code rendered} is null
   * (what the commit renders is not known, so nothing can be said to differ from it).
   */
  public static List<DriftedService> detect(Map<String, Expected> rendered, List<ContainerState> containers) {
    List<DriftedService> drifted = new ArrayList<>();
    if (rendered == null) {
      return drifted;
    }
    Map<String, List<ContainerState>> byService = new TreeMap<>();
    for (ContainerState c : containers) {
      byService.computeIfAbsent(c.service() == null ? "" : c.service(), k -> new ArrayList<>()).add(c);
    }
    for (Map.Entry<String, Expected> e : new TreeMap<>(rendered).entrySet()) {
      List<ContainerState> running = byService.getOrDefault(e.getKey(), List.of());
      String problem = running.isEmpty() ? "missing: no container" : differs(e.getValue(), running);
      if (problem != null) {
        drifted.add(drifted(e.getKey(), problem));
      }
    }
    for (Map.Entry<String, List<ContainerState>> e : byService.entrySet()) {
      if (!rendered.containsKey(e.getKey())) {
        List<String> names = e.getValue().stream().map(ContainerState::name).sorted().toList();
        drifted.add(drifted(e.getKey(), "extra: container " + String.join(", ", names)
            + " is in the project but the applied commit does not define it"));
      }
    }
    return drifted;
  }

  /** "web (image ...), db (missing ...)" for a condition message. */
  public static String describe(List<DriftedService> drifted) {
    return String.join("; ", drifted.stream().map(d -> d.getService() + ": " + d.getReason()).toList());
  }

  private static String differs(Expected expected, List<ContainerState> containers) {
    for (ContainerState c : containers) {
      if (expected.image() != null && c.image() != null
          && !normalImage(expected.image()).equals(normalImage(c.image()))) {
        return "image " + c.image() + " runs, the applied commit has " + expected.image();
      }
      if (expected.configHash() != null && c.configHash() != null
          && !Objects.equals(expected.configHash(), c.configHash())) {
        return "definition changed: container " + c.name() + " was created from another configuration"
            + " than the applied commit's";
      }
    }
    return null;
  }

  /** busybox, library/busybox:latest and docker.io/library/busybox:latest are one image. */
  static String normalImage(String image) {
    String name = image;
    if (name.startsWith("docker.io/")) {
      name = name.substring("docker.io/".length());
    }
    if (name.startsWith("library/")) {
      name = name.substring("library/".length());
    }
    int slash = name.lastIndexOf('/');
    if (!name.contains("@") && name.indexOf(':', slash + 1) < 0) {
      name = name + ":latest";
    }
    return name;
  }

  private static DriftedService drifted(String service, String reason) {
    DriftedService d = new DriftedService();
    d.setService(service);
    d.setReason(reason);
    return d;
  }
}
