package dev.backstop.operator.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.backup.LocalDirStore;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.ImagePlan;
import dev.backstop.operator.core.Preflight;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.ServiceOutline;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.git.SourceException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers what {@link Preflight} judges, from the real things: docker-java for the engine, its
 * containers and networks; the `docker` and `docker compose` CLIs; JGit's ls-remote; a throwaway
 * render of each release's compose files; the file systems. Reads only: nothing is started but a
 * `docker run --rm --network none` that looks for the backup tools in an image already present.
 */
public final class PreflightFacts {

  /**
   * One release to check.
   *
   * @param env its stack variables, for rendering its compose files
   * @param releaseDir its state directory (default backup storage), or null
   * @param backups its recorded backups (their sizes size the backup disk check)
   */
  public record Release(
      String name, ReleaseSettings settings, StackEnv env, Path releaseDir, List<BackupRecord> backups) {}

  private static final Logger LOG = LoggerFactory.getLogger(PreflightFacts.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  // Docker's built-in pools: 172.17-31.0.0/16 and 192.168.0.0/16 in /20s, 31 networks in all.
  private static final int DEFAULT_POOL_NETWORKS = 31;
  private static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
  private static final long CLI_TIMEOUT_SECONDS = 60;

  private final DockerHosts docker;
  private final RefPreview preview;

  public PreflightFacts(DockerHosts docker, RefPreview preview) {
    this.docker = docker;
    this.preview = preview;
  }

  /** The facts for {@code releases}, whose state lives under {@code stateDir}. */
  public Preflight.Facts gather(Path stateDir, List<Release> releases, List<String> manifestProblems) {
    Map<String, DockerEndpoint> hosts = new LinkedHashMap<>();
    hosts.put("local", DockerEndpoint.LOCAL);
    Map<String, List<Release>> byHost = new LinkedHashMap<>();
    for (Release r : releases) {
      DockerEndpoint endpoint = docker.endpoint("default/" + r.name(), r.settings().dockerHost());
      String host = hostName(endpoint);
      hosts.putIfAbsent(host, endpoint);
      byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(r);
    }
    List<Preflight.Engine> engines = new ArrayList<>();
    List<Preflight.Compose> composes = new ArrayList<>();
    List<Preflight.Networks> networks = new ArrayList<>();
    Map<String, Boolean> reachable = new LinkedHashMap<>();
    for (Map.Entry<String, DockerEndpoint> h : hosts.entrySet()) {
      Preflight.Engine engine = engine(h.getKey(), h.getValue());
      engines.add(engine);
      reachable.put(h.getKey(), engine.error() == null);
      composes.add(compose(h.getKey(), h.getValue()));
    }
    List<Preflight.Source> sources = new ArrayList<>();
    List<Preflight.Model> models = new ArrayList<>();
    List<Preflight.BackupTools> tools = new ArrayList<>();
    List<Preflight.Disk> disks = new ArrayList<>();
    List<Preflight.Port> ports = new ArrayList<>();
    disks.add(disk("state directory", stateDir, 0));
    Set<Path> storages = new LinkedHashSet<>();
    for (Map.Entry<String, List<Release>> h : byHost.entrySet()) {
      DockerEndpoint endpoint = hosts.get(h.getKey());
      boolean up = reachable.get(h.getKey());
      List<Container> containers = up ? containers(endpoint) : List.of();
      int needed = 0;
      for (Release r : h.getValue()) {
        ReleaseSettings s = r.settings();
        String lsCommit = null;
        String lsError = null;
        try {
          lsCommit = preview.git().lsRemote(s.url(), s.ref(), null);
        } catch (SourceException e) {
          lsError = e.getMessage();
        }
        RefPreview.Rendered rendered = null;
        String renderError = null;
        if (lsError == null) {
          try {
            rendered = preview.render(s.projectName(), s.url(), s.ref(), null, s.composePath(), s.composeFiles(),
                s.envFiles(), endpoint, r.env().values());
          } catch (SourceException | ComposeException e) {
            renderError = e.getMessage();
          }
        }
        // A commit SHA no branch or tag points at: only the clone the render made can tell.
        if (lsError == null && lsCommit == null) {
          lsCommit = rendered == null ? null : rendered.commit();
          lsError = rendered == null ? renderError : null;
        }
        sources.add(new Preflight.Source(r.name(), s.url(), s.ref(), lsCommit, lsError));
        models.add(new Preflight.Model(r.name(), s.ref(), rendered == null ? 0 : rendered.services().size(),
            rendered == null ? (renderError != null ? renderError : "not checked: the repository cannot be read")
                : null));
        if (s.backup() != null) {
          tools.add(backupTools(r, endpoint, up, rendered));
          // Remote (S3) storage has no local disk to run out of.
          Path storage = s.backup().remote() != null ? null
              : LocalDirStore.directory(s.backup(), r.releaseDir() == null ? stateDir : r.releaseDir());
          if (storage != null && storages.add(storage)) {
            long largest = r.backups().stream().map(BackupRecord::getSize).filter(Objects::nonNull)
                .mapToLong(Long::longValue).max().orElse(0);
            disks.add(disk("backups of " + r.name(), storage, largest));
          }
        }
        if (rendered != null) {
          for (ServiceOutline service : rendered.services()) {
            for (ServiceOutline.Published p : service.ports()) {
              ports.add(port(r, service, p, endpoint, up, containers));
            }
          }
          if (up && containers.stream().noneMatch(c -> s.projectName().equals(project(c)))) {
            needed++;
          }
        }
      }
      if (up) {
        networks.add(networks(h.getKey(), endpoint, needed));
      }
    }
    if (byHost.isEmpty() && reachable.get("local")) {
      networks.add(networks("local", DockerEndpoint.LOCAL, 0));
    }
    return new Preflight.Facts(engines, composes, sources, models, tools, disks, ports, networks, manifestProblems);
  }

  private static String hostName(DockerEndpoint endpoint) {
    return endpoint.host() == null ? "local" : endpoint.host();
  }

  private Preflight.Engine engine(String host, DockerEndpoint endpoint) {
    try {
      DockerClient client = docker.client(endpoint, DockerHosts.Purpose.API);
      Version v;
      try {
        v = client.versionCmd().exec();
      } catch (RuntimeException e) {
        throw docker.unreachable(endpoint, e);
      }
      return new Preflight.Engine(host, v.getVersion(), v.getApiVersion(), null);
    } catch (ComposeException e) {
      return new Preflight.Engine(host, null, null, e.getMessage());
    }
  }

  private Preflight.Compose compose(String host, DockerEndpoint endpoint) {
    try {
      Cli out = docker(endpoint, List.of("compose", "version", "--short"));
      if (out.exit != 0) {
        return new Preflight.Compose(host, null, "`docker compose version` failed: " + firstLine(out.output));
      }
      return new Preflight.Compose(host, out.output.strip(), null);
    } catch (ComposeException e) {
      return new Preflight.Compose(host, null, e.getMessage());
    }
  }

  private Preflight.BackupTools backupTools(
      Release r, DockerEndpoint endpoint, boolean up, RefPreview.Rendered rendered) {
    ReleaseSettings s = r.settings();
    String service = s.backup().service();
    List<String> tools = Preflight.backupTools(s.backup());
    if (tools.isEmpty()) {
      return new Preflight.BackupTools(r.name(), service, null, tools, null,
          "spec.backup.command does not start with a program name");
    }
    if (!up) {
      return new Preflight.BackupTools(r.name(), service, null, tools, null, "the engine does not answer");
    }
    if (rendered == null) {
      return new Preflight.BackupTools(r.name(), service, null, tools, null, "the compose files did not render");
    }
    ServiceOutline outline = rendered.services().stream().filter(o -> o.name().equals(service)).findFirst()
        .orElse(null);
    if (outline == null) {
      return new Preflight.BackupTools(r.name(), service, null, tools, null,
          "the compose files define no service '" + service + "' (spec.backup.service)");
    }
    String image = outline.builds()
        ? ImagePlan.imageFor(s.projectName(), service, outline.image(), rendered.commit())
        : outline.image();
    // Each name is a plain word (Preflight.backupTools allows no shell syntax): safe in sh -c.
    String script = "for c in " + String.join(" ", tools) + "; do command -v \"$c\" >/dev/null || echo \"$c\"; done";
    try {
      Cli out = docker(endpoint, List.of("run", "--rm", "--network", "none", "--pull", "never",
          "--entrypoint", "sh", image, "-c", script));
      if (out.exit != 0) {
        String why = out.output.contains("No such image") || out.output.contains("Unable to find image")
            ? "image " + image + " is not on the engine yet (it is pulled or built at the first deploy);"
                + " run doctor again after it"
            : out.output.contains("executable file not found")
                ? "image " + image + " has no sh to look with"
                : "`docker run " + image + "` failed: " + firstLine(out.output);
        return new Preflight.BackupTools(r.name(), service, image, tools, null, why);
      }
      List<String> missing = out.output.lines().map(String::strip).filter(tools::contains).toList();
      return new Preflight.BackupTools(r.name(), service, image, tools, missing, null);
    } catch (ComposeException e) {
      return new Preflight.BackupTools(r.name(), service, image, tools, null, e.getMessage());
    }
  }

  private static Preflight.Disk disk(String what, Path path, long largestBackup) {
    Path existing = path.toAbsolutePath();
    // Not created yet: the file system it will be on is its nearest existing parent's.
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return new Preflight.Disk(what, path.toString(), -1, -1, largestBackup, "no parent directory exists");
    }
    try {
      FileStore store = Files.getFileStore(existing);
      return new Preflight.Disk(what, path.toString(), store.getUsableSpace(), store.getTotalSpace(), largestBackup,
          null);
    } catch (IOException e) {
      return new Preflight.Disk(what, path.toString(), -1, -1, largestBackup, e.getClass().getSimpleName());
    }
  }

  private Preflight.Port port(Release r, ServiceOutline service, ServiceOutline.Published p, DockerEndpoint endpoint,
      boolean up, List<Container> containers) {
    if (!up) {
      return new Preflight.Port(r.name(), service.name(), p.published(), null, false, "the engine does not answer");
    }
    for (Container c : containers) {
      for (ContainerPort cp : c.getPorts() == null ? new ContainerPort[0] : c.getPorts()) {
        if (cp.getPublicPort() != null && cp.getPublicPort() == p.published()
            && Objects.equals(cp.getType(), p.protocol())) {
          String name = c.getNames() == null || c.getNames().length == 0 ? c.getId().substring(0, 12)
              : c.getNames()[0].replaceFirst("^/", "");
          return new Preflight.Port(r.name(), service.name(), p.published(), "container " + name,
              r.settings().projectName().equals(project(c)), null);
        }
      }
    }
    // Only on this machine can a process outside Docker be found by binding the port.
    if (endpoint.host() == null && p.protocol().equals("tcp")) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(
            p.hostIp().isEmpty() ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(p.hostIp()),
            p.published()));
      } catch (BindException e) {
        return new Preflight.Port(r.name(), service.name(), p.published(), "a process outside Docker", false, null);
      } catch (IOException e) {
        return new Preflight.Port(r.name(), service.name(), p.published(), null, false, e.getMessage());
      }
    }
    return new Preflight.Port(r.name(), service.name(), p.published(), null, false, null);
  }

  private Preflight.Networks networks(String host, DockerEndpoint endpoint, int needed) {
    List<Network> list;
    try {
      DockerClient client = docker.client(endpoint, DockerHosts.Purpose.API);
      list = client.listNetworksCmd().exec();
    } catch (ComposeException e) {
      return new Preflight.Networks(host, 0, 0, false, needed, e.getMessage());
    } catch (RuntimeException e) {
      return new Preflight.Networks(host, 0, 0, false, needed, docker.unreachable(endpoint, e).getMessage());
    }
    int used = 0;
    for (Network n : list) {
      boolean hasSubnet = n.getIpam() != null && n.getIpam().getConfig() != null
          && n.getIpam().getConfig().stream().anyMatch(c -> c.getSubnet() != null && c.getSubnet().contains("."));
      if ("bridge".equals(n.getDriver()) && hasSubnet) {
        used++;
      }
    }
    int configured = endpoint.host() == null ? configuredPoolNetworks(DAEMON_JSON) : -1;
    return new Preflight.Networks(host, used, configured > 0 ? configured : DEFAULT_POOL_NETWORKS, configured > 0,
        needed, null);
  }

  /**
   * The networks default-address-pools in the local daemon's configuration hold, or -1 when it
   * names none (or cannot be read): the engine API does not tell.
   */
  static int configuredPoolNetworks(Path daemonJson) {
    try {
      if (!Files.isReadable(daemonJson)) {
        return -1;
      }
      JsonNode pools = JSON.readTree(Files.readString(daemonJson, StandardCharsets.UTF_8)).path("default-address-pools");
      long total = 0;
      for (JsonNode pool : pools) {
        String[] base = pool.path("base").asText("").split("/");
        int size = pool.path("size").asInt(0);
        if (base.length != 2 || !base[1].matches("\\d{1,2}") || size < Integer.parseInt(base[1]) || size > 32) {
          continue;
        }
        total += 1L << Math.min(30, size - Integer.parseInt(base[1]));
      }
      // The default bridge (docker0) keeps its own bip outside the pools: one more.
      return total == 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, total + 1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private List<Container> containers(DockerEndpoint endpoint) {
    try {
      return docker.client(endpoint, DockerHosts.Purpose.API).listContainersCmd().exec();
    } catch (ComposeException | RuntimeException e) {
      // The engine row already says it does not answer; ports are then judged without containers.
      return List.of();
    }
  }

  private static String project(Container c) {
    return c.getLabels() == null ? null : c.getLabels().get("com.docker.compose.project");
  }

  private Cli docker(DockerEndpoint endpoint, List<String> args) throws ComposeException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    docker.configureForwardedCli(endpoint, builder);
    Path out = null;
    try {
      // Into a file, so that the wait below bounds the whole command, pipe or no pipe.
      out = Files.createTempFile("backstop-doctor-", ".out");
      builder.redirectOutput(out.toFile());
      Process p = builder.start();
      p.getOutputStream().close();
      if (!p.waitFor(CLI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new ComposeException(ComposeException.Kind.FAILED,
            "docker " + args.get(0) + " did not finish within " + CLI_TIMEOUT_SECONDS + "s");
      }
      return new Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ComposeException(ComposeException.Kind.UNAVAILABLE, "cannot run docker: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComposeException(ComposeException.Kind.FAILED, "interrupted", e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          LOG.debug("could not delete {}: {}", out, e.getMessage());
        }
      }
    }
  }

  private static String firstLine(String text) {
    return text.strip().lines().findFirst().orElse("no output");
  }

  private record Cli(int exit, String output) {}
}
