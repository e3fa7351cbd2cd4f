package dev.backstop.operator.core;

import java.util.List;

/**
 * What `backstop doctor` and `backstop init` need of one service of a rendered compose model
 * (`docker compose config --format json`): its image, its published ports and its healthcheck.
 *
 * @param name the service name
 * @param image image: as rendered, or null when the service only builds
 * @param builds whether the service has build:
 * @param ports published ports; container-only ports are left out
 * @param healthcheck healthcheck.test as rendered (["CMD", ...] or ["CMD-SHELL", "..."]), empty
 *     when there is none or it is disabled
 */
public record ServiceOutline(
    String name, String image, boolean builds, List<Published> ports, List<String> healthcheck) {

  public ServiceOutline {
    ports = List.copyOf(ports);
    healthcheck = List.copyOf(healthcheck);
  }

  /**
   * One published port.
   *
   * @param hostIp host_ip, or "" for every address
   * @param published the host port
   * @param target the container port
   * @param protocol tcp or udp
   */
  public record Published(String hostIp, int published, int target, String protocol) {}
}
