package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ServiceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Per-service status from the containers of a project. */
public final class ServiceView {

  // Checkouts live in a directory named for the full commit; its name in the working_dir label
  // tells which commit a container was created from.
  private static final Pattern COMMIT = Pattern.compile("(?:^|/)([0-9a-f]{40})(?:/|$)");

  private ServiceView() {}

  public static List<ServiceStatus> of(List<ContainerState> containers) {
    Map<String, ServiceStatus> byService = new TreeMap<>();
    for (ContainerState c : containers) {
      ServiceStatus existing = byService.get(c.service());
      // With several replicas, show the worst one: that is the one a person needs to see.
      if (existing == null || (c.running() ? 0 : 1) > ("running".equals(existing.getState()) ? 0 : 1)) {
        ServiceStatus s = new ServiceStatus();
        s.setName(c.service());
        s.setState(c.state());
        s.setHealth(c.health().name().toLowerCase());
        s.setImage(c.image());
        s.setCommit(commitOf(c.workingDir()));
        byService.put(c.service(), s);
      }
    }
    return new ArrayList<>(byService.values());
  }

  /** The commit whose checkout a compose working directory lies in, or null. */
  public static String commitOf(String workingDir) {
    if (workingDir == null) {
      return null;
    }
    Matcher m = COMMIT.matcher(workingDir);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    return found;
  }
}
