package dev.backstop.operator.core;

import java.util.List;

/**
 * What the policy and the confinement check need of a commit's rendered compose model (`docker
 * compose config --format json`): read by an adapter, judged here. Paths are as Compose resolved
 * them (absolute), before any symlink is followed.
 *
 * @param services the services, in the model's order
 * @param files top-level resources read from host files: secrets.*.file, configs.*.file and
 *     volumes.*.driver_opts.device (a "named" volume that binds a host path)
 */
public record ComposeModel(List<Service> services, List<HostFile> files) {

  public ComposeModel {
    services = List.copyOf(services);
    files = List.copyOf(files);
  }

  /**
   * One service's host-facing settings.
   *
   * @param name the service name
   * @param image the image it runs (the per-commit name for built services), or null
   * @param buildContext build.context, or null without build (a URL context is not a path)
   * @param dockerfile build.dockerfile as written (relative to the context), or null
   * @param privileged privileged: true
   * @param networkMode network_mode, or null
   * @param pid pid, or null
   * @param ipc ipc, or null
   * @param uts uts, or null
   * @param capAdd cap_add as written
   * @param devices devices, as "source:target"
   * @param user user, or null when unset
   * @param mounts volumes of every type
   * @param envFiles env_file paths
   */
  public record Service(
      String name,
      String image,
      String buildContext,
      String dockerfile,
      boolean privileged,
      String networkMode,
      String pid,
      String ipc,
      String uts,
      List<String> capAdd,
      List<String> devices,
      String user,
      List<Mount> mounts,
      List<String> envFiles) {

    public Service {
      capAdd = List.copyOf(capAdd);
      devices = List.copyOf(devices);
      mounts = List.copyOf(mounts);
      envFiles = List.copyOf(envFiles);
    }
  }

  /**
   * One entry of a service's volumes.
   *
   * @param type bind, volume, tmpfs, npipe or cluster
   * @param source a host path for bind, a volume name for volume, null otherwise
   * @param target the path in the container
   */
  public record Mount(String type, String source, String target) {
    public boolean isBind() {
      return "bind".equals(type);
    }
  }

  /**
   * A top-level resource backed by a host path.
   *
   * @param field where the model names it, e.g. "secrets.db.file"
   * @param path the host path
   */
  public record HostFile(String field, String path) {}
}
