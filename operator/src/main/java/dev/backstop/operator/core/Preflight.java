package dev.backstop.operator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `backstop doctor`'s judgement: what a rollback needs (engine, Compose v2, git, backup tools,
 * disk, ports, networks), from facts an adapter gathered, as a table of PASS / WARN / FAIL rows
 * that each say what to do. Pure: the gathering is elsewhere.
 */
public final class Preflight {

  /** How one check came out; only PASS everywhere makes `doctor` exit 0. */
  public enum Status {
    PASS,
    WARN,
    FAIL
  }

  /** One row of the table: the check, its status and one line saying what was found or to do. */
  public record Result(String name, Status status, String detail) {}

  /**
   * A Docker engine, as its version endpoint answered.
   *
   * @param host how people name it ("local" or the DOCKER_HOST)
   * @param version the engine version, or null when it did not answer
   * @param apiVersion the API version it speaks, or null
   * @param error why it did not answer, or null
   */
  public record Engine(String host, String version, String apiVersion, String error) {}

  /** `docker compose version --short` against a host: the version, or why it failed. */
  public record Compose(String host, String version, String error) {}

  /**
   * A release's repository and ref, as the remote advertised them.
   *
   * @param commit the commit the ref names, or null
   * @param error why the remote could not be read or the ref is not in it, or null
   */
  public record Source(String release, String url, String ref, String commit, String error) {}

  /**
   * A release's compose files at its ref, rendered by `docker compose config`.
   *
   * @param services how many services they define
   * @param error why they could not be checked out or rendered, or null
   */
  public record Model(String release, String ref, int services, String error) {}

  /**
   * The backup tools in the image of a release's database service.
   *
   * @param image the image checked, or null when it could not be told
   * @param missing the tools the image lacks (empty: all present), or null when not checked
   * @param error why the image could not be checked, or null
   */
  public record BackupTools(
      String release, String service, String image, List<String> tools, List<String> missing, String error) {}

  /**
   * Free space where Backstop writes.
   *
   * @param what "state directory" or "backups of NAME"
   * @param usable bytes a non-root writer may still use, or -1 when unknown
   * @param total the file system's size in bytes, or -1
   * @param largestBackup the largest recorded backup there in bytes, or 0 when none is known
   * @param error why it could not be read, or null
   */
  public record Disk(String what, String path, long usable, long total, long largestBackup, String error) {}

  /**
   * A port a release's compose files publish, and who holds it now.
   *
   * @param holder the container (or "a process outside Docker") holding it, or null when free
   * @param ownedByProject whether the holder is a container of the release's own compose project
   * @param error why it could not be checked, or null
   */
  public record Port(
      String release, String service, int port, String holder, boolean ownedByProject, String error) {}

  /**
   * An engine's bridge networks against the networks its address pools can hand out.
   *
   * @param used bridge networks with a subnet
   * @param capacity networks the pools hold, counting the default bridge
   * @param fromConfig whether capacity comes from the daemon's default-address-pools (else
   *     Docker's defaults: about 31)
   * @param needed networks the releases on this engine would still create
   * @param error why the networks could not be listed, or null
   */
  public record Networks(String host, int used, int capacity, boolean fromConfig, int needed, String error) {}

  /** Everything gathered, per kind; a manifest problem is a FAIL of its own. */
  public record Facts(
      List<Engine> engines,
      List<Compose> composes,
      List<Source> sources,
      List<Model> models,
      List<BackupTools> backupTools,
      List<Disk> disks,
      List<Port> ports,
      List<Networks> networks,
      List<String> manifestProblems) {

    public Facts {
      engines = List.copyOf(engines);
      composes = List.copyOf(composes);
      sources = List.copyOf(sources);
      models = List.copyOf(models);
      backupTools = List.copyOf(backupTools);
      disks = List.copyOf(disks);
      ports = List.copyOf(ports);
      networks = List.copyOf(networks);
      manifestProblems = List.copyOf(manifestProblems);
    }
  }

  /** The oldest engine API Backstop is tested against (engine 20.10). */
  static final String MIN_API = "1.41";
  /** Below this a deploy, a checkout and a backup may not fit. */
  static final long MIN_FREE_BYTES = 1L << 30;
  /** Below this (and below {@link #LOW_SHARE}) it is a warning. */
  static final long LOW_FREE_BYTES = 5L << 30;
  static final double LOW_SHARE = 0.10;
  /** Fewer free networks than this is a warning: one more project may exhaust them. */
  static final int FEW_NETWORKS = 3;

  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)");

  private Preflight() {}

  private static final Pattern TOOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
  private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

  /**
   * The programs a backup and its restore run in the database service's container: a preset's
   * client tools, else the first word of spec.backup.command and restoreCommand (after any
   * VAR=value). Empty when no backup is configured.
   */
  public static List<String> backupTools(BackupSettings backup) {
    if (backup == null) {
      return List.of();
    }
    if (backup.preset() != null) {
      return switch (backup.preset()) {
        case postgres -> List.of("pg_dump", "pg_restore", "psql");
        case mariadb -> List.of("mariadb-dump", "mariadb");
        case redis -> List.of("redis-cli");
      };
    }
    List<String> tools = new ArrayList<>();
    for (String command : new String[] {backup.command(), backup.restoreCommand()}) {
      String tool = firstProgram(command);
      if (tool != null && !tools.contains(tool)) {
        tools.add(tool);
      }
    }
    return tools;
  }

  private static String firstProgram(String command) {
    if (command == null) {
      return null;
    }
    for (String word : command.strip().split("\\s+")) {
      if (ASSIGNMENT.matcher(word).matches() || word.equals("exec")) {
        continue;
      }
      // Shell syntax (a subshell, a quoted word) cannot be told without a shell: not checked.
      return TOOL.matcher(word).matches() ? word : null;
    }
    return null;
  }

  /** Every check's row, in the order people read them: engine first, then what builds on it. */
  public static List<Result> evaluate(Facts facts) {
    List<Result> rows = new ArrayList<>();
    for (String problem : facts.manifestProblems()) {
      rows.add(new Result("manifest", Status.FAIL, problem));
    }
    facts.engines().forEach(e -> rows.add(engine(e)));
    facts.composes().forEach(c -> rows.add(compose(c)));
    facts.sources().forEach(s -> rows.add(source(s)));
    facts.models().forEach(m -> rows.add(model(m)));
    facts.backupTools().forEach(b -> rows.add(tools(b)));
    facts.disks().forEach(d -> rows.add(disk(d)));
    facts.ports().forEach(p -> rows.add(port(p)));
    facts.networks().forEach(n -> rows.add(networks(n)));
    return rows;
  }

  /** Whether `doctor` may exit 0. */
  public static boolean allPass(List<Result> results) {
    return results.stream().allMatch(r -> r.status() == Status.PASS);
  }

  static Result engine(Engine e) {
    String name = "engine " + e.host();
    if (e.error() != null) {
      return new Result(name, Status.FAIL, e.error() + "; start dockerd, or fix DOCKER_HOST / spec.compose.dockerHost");
    }
    String found = "Docker Engine " + e.version() + " (API " + e.apiVersion() + ")";
    if (compareVersions(e.apiVersion(), MIN_API) < 0) {
      return new Result(name, Status.WARN, found + " is older than API " + MIN_API
          + " (engine 20.10), the oldest Backstop is tested with; upgrade the engine");
    }
    return new Result(name, Status.PASS, found);
  }

  static Result compose(Compose c) {
    String name = "compose " + c.host();
    if (c.error() != null) {
      return new Result(name, Status.FAIL, c.error()
          + "; install Compose v2 so that `docker compose` works (the docker-compose-plugin package)");
    }
    Matcher m = VERSION.matcher(c.version());
    if (!m.lookingAt() || Integer.parseInt(m.group(1)) < 2) {
      return new Result(name, Status.FAIL, "Compose " + c.version()
          + " is not Compose v2; install Compose v2 so that `docker compose` works");
    }
    return new Result(name, Status.PASS, "Compose " + c.version());
  }

  static Result source(Source s) {
    String name = "git " + s.release();
    if (s.error() != null) {
      return new Result(name, Status.FAIL, s.error());
    }
    return new Result(name, Status.PASS, "ref " + s.ref() + " is commit " + shortSha(s.commit()) + " in " + s.url());
  }

  static Result model(Model m) {
    String name = "compose files " + m.release();
    if (m.error() != null) {
      return new Result(name, Status.FAIL, m.error());
    }
    return new Result(name, Status.PASS, "render at " + m.ref() + ": " + m.services() + " service"
        + (m.services() == 1 ? "" : "s"));
  }

  static Result tools(BackupTools b) {
    String name = "backup " + b.release();
    String tools = String.join(", ", b.tools());
    if (b.error() != null) {
      return new Result(name, Status.WARN, "cannot check for " + tools + " in service " + b.service() + ": " + b.error());
    }
    if (!b.missing().isEmpty()) {
      return new Result(name, Status.FAIL, String.join(", ", b.missing()) + " not found in " + b.image()
          + " (service " + b.service() + "); use an image that has it, or set spec.backup.command to a tool it has");
    }
    return new Result(name, Status.PASS, tools + " present in " + b.image() + " (service " + b.service() + ")");
  }

  static Result disk(Disk d) {
    String name = "disk " + d.what();
    if (d.error() != null) {
      return new Result(name, Status.WARN, "cannot read the free space of " + d.path() + ": " + d.error());
    }
    String found = bytes(d.usable()) + " free of " + bytes(d.total()) + " at " + d.path();
    if (d.usable() < MIN_FREE_BYTES) {
      return new Result(name, Status.FAIL, found + "; free space: deploys, checkouts and backups need at least "
          + bytes(MIN_FREE_BYTES));
    }
    if (d.largestBackup() > 0 && d.usable() < 2 * d.largestBackup()) {
      return new Result(name, Status.FAIL, found + ", less than twice the largest backup ("
          + bytes(d.largestBackup()) + "); free space or lower spec.backup.retention");
    }
    if (d.usable() < LOW_FREE_BYTES && d.total() > 0 && d.usable() < d.total() * LOW_SHARE) {
      return new Result(name, Status.WARN, found + "; that is low, free some space");
    }
    return new Result(name, Status.PASS, found);
  }

  static Result port(Port p) {
    String name = "port " + p.release() + ":" + p.port();
    if (p.error() != null) {
      return new Result(name, Status.WARN, "cannot tell who holds port " + p.port() + " (service " + p.service()
          + "): " + p.error());
    }
    if (p.holder() == null) {
      return new Result(name, Status.PASS, "free for service " + p.service());
    }
    if (p.ownedByProject()) {
      return new Result(name, Status.PASS, "held by the release's own " + p.holder());
    }
    return new Result(name, Status.FAIL, "held by " + p.holder() + ", outside the release's project (service "
        + p.service() + " publishes it); stop that or change the port");
  }

  static Result networks(Networks n) {
    String name = "networks " + n.host();
    if (n.error() != null) {
      return new Result(name, Status.WARN, "cannot list the engine's networks: " + n.error());
    }
    int free = Math.max(0, n.capacity() - n.used());
    String found = n.used() + " bridge network" + (n.used() == 1 ? "" : "s") + " of " + (n.fromConfig() ? "" : "about ") + n.capacity()
        + " the address pools hold" + (n.fromConfig() ? "" : " (Docker's default pools)")
        + (n.needed() > 0 ? "; the releases need " + n.needed() + " more" : "");
    String fix = "; remove unused networks (docker network prune), use network_mode: bridge, or set"
        + " default-address-pools in /etc/docker/daemon.json";
    if (free < n.needed()) {
      return new Result(name, Status.FAIL, found + fix);
    }
    if (free - n.needed() < FEW_NETWORKS) {
      return new Result(name, Status.WARN, found + ", " + (free - n.needed()) + " left after them" + fix);
    }
    return new Result(name, Status.PASS, found);
  }

  /** Compares dotted versions numerically ("1.9" before "1.41"); a missing part counts as 0. */
  static int compareVersions(String a, String b) {
    String[] x = a == null ? new String[0] : a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(number(x, i), number(y, i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int number(String[] parts, int i) {
    if (i >= parts.length) {
      return 0;
    }
    String digits = parts[i].replaceAll("\\D.*", "");
    return digits.isEmpty() ? 0 : Integer.parseInt(digits);
  }

  static String bytes(long n) {
    if (n < 0) {
      return "?";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String shortSha(String commit) {
    return commit == null || commit.length() < 12 ? String.valueOf(commit) : commit.substring(0, 12);
  }
}
