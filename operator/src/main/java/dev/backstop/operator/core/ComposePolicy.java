package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges a rendered compose model against a {@link PolicyLevel}, and a release's requested level
 * against the operator's ceiling. Image users are facts the adapter looked up; nothing here does
 * I/O.
 */
public final class ComposePolicy {

  /** Docker's default capability set (moby oci/caps/defaults.go): adding one of these is a no-op. */
  static final Set<String> DEFAULT_CAPS =
      Set.of(
          "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
          "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

  // The engine's API socket: whoever reaches it is root on the host.
  private static final List<String> DOCKER_SOCKETS =
      List.of("/var/run/docker.sock", "/run/docker.sock");

  private ComposePolicy() {}

  /**
   * One refused setting.
   *
   * @param service the service that asks for it
   * @param setting the compose setting, as written in a compose file
   * @param why what the level refuses
   */
  public record Violation(String service, String setting, String why) {
    /** How Ready's message names it. */
    public String describe() {
      return "service " + service + ": " + setting + " (" + why + ")";
    }
  }

  /** The level a release runs under: what it asked for, or the ceiling when it asked nothing. */
  public static PolicyLevel effective(PolicyLevel requested, PolicyLevel ceiling) {
    return requested == null ? ceiling : requested;
  }

  /** Why {@code requested} may not be used under {@code ceiling}, or empty when it may. */
  public static Optional<String> ceilingProblem(PolicyLevel requested, PolicyLevel ceiling) {
    if (requested == null || requested.atLeastAsStrictAs(ceiling)) {
      return Optional.empty();
    }
    return Optional.of("spec.compose.policy " + requested + " is looser than this operator's ceiling "
        + ceiling + " (--compose-policy); ask for " + ceiling
        + (ceiling == PolicyLevel.Restricted ? "" : " or stricter") + ", or have the operator's ceiling raised");
  }

  /** What {@code level} refuses in {@code model}, leaving out the image-user rule. */
  public static List<Violation> judge(PolicyLevel level, ComposeModel model) {
    List<Violation> found = new ArrayList<>();
    if (level == PolicyLevel.Privileged) {
      return found;
    }
    boolean restricted = level == PolicyLevel.Restricted;
    for (ComposeModel.Service s : model.services()) {
      String name = s.name();
      if (s.privileged()) {
        found.add(new Violation(name, "privileged: true", level + " refuses privileged containers"));
      }
      namespace(found, level, name, "network_mode", s.networkMode());
      namespace(found, level, name, "pid", s.pid());
      namespace(found, level, name, "ipc", s.ipc());
      namespace(found, level, name, "uts", s.uts());
      for (String cap : s.capAdd()) {
        if (restricted) {
          found.add(new Violation(name, "cap_add: " + cap, "Restricted refuses any cap_add"));
        } else if (!DEFAULT_CAPS.contains(capName(cap))) {
          found.add(new Violation(name, "cap_add: " + cap,
              "Baseline refuses capabilities beyond Docker's defaults"));
        }
      }
      for (String device : s.devices()) {
        found.add(new Violation(name, "devices: " + device, level + " refuses devices"));
      }
      for (ComposeModel.Mount m : s.mounts()) {
        if (m.isBind() && m.source() != null && exposesDockerSocket(m.source())) {
          found.add(new Violation(name, "volumes: " + m.source() + ":" + m.target(),
              level + " refuses mounts of the Docker socket"));
        } else if (restricted && m.isBind()) {
          found.add(new Violation(name, "volumes: " + m.source() + ":" + m.target(),
              "Restricted refuses bind mounts; use a named volume"));
        }
      }
    }
    if (restricted) {
      for (ComposeModel.HostFile f : model.files()) {
        if (f.field().startsWith("volumes.")) {
          found.add(new Violation("-", f.field() + ": " + f.path(),
              "Restricted refuses volumes that bind a host path; use a plain named volume"));
        }
      }
    }
    return found;
  }

  /**
   * The services Restricted needs the image's user of: those whose {@code user:} is unset or root,
   * keyed to the image they run.
   */
  public static Map<String, String> imagesToInspect(PolicyLevel level, ComposeModel model) {
    Map<String, String> images = new LinkedHashMap<>();
    if (level != PolicyLevel.Restricted) {
      return images;
    }
    for (ComposeModel.Service s : model.services()) {
      if ((s.user() == null || isRoot(s.user())) && s.image() != null) {
        images.put(s.name(), s.image());
      }
    }
    return images;
  }

  /**
   * Restricted's root rule: a service runs as root when its user is unset or root and its image's
   * user is empty or root.
   *
   * @param imageUsers service name to its image's Config.User, for the services of {@link
   *     #imagesToInspect}
   */
  public static List<Violation> judgeUsers(
      PolicyLevel level, ComposeModel model, Map<String, String> imageUsers) {
    List<Violation> found = new ArrayList<>();
    if (level != PolicyLevel.Restricted) {
      return found;
    }
    for (ComposeModel.Service s : model.services()) {
      if (s.user() != null && !isRoot(s.user())) {
        continue;
      }
      if (s.user() != null) {
        found.add(new Violation(s.name(), "user: " + s.user(), "Restricted refuses containers running as root"));
        continue;
      }
      String imageUser = imageUsers.get(s.name());
      if (imageUser == null || isRoot(imageUser)) {
        found.add(new Violation(s.name(), "user: (unset)",
            "Restricted refuses containers running as root, and the image "
                + (s.image() == null ? "" : s.image() + " ") + "runs as root; set user: to a non-root uid"));
      }
    }
    return found;
  }

  /** The message for Ready=False PolicyViolation. */
  public static String message(PolicyLevel level, List<Violation> violations) {
    StringBuilder b = new StringBuilder("compose policy " + level + " refuses ");
    for (int i = 0; i < violations.size(); i++) {
      b.append(i == 0 ? "" : "; ").append(violations.get(i).describe());
    }
    return b.append("; nothing was started").toString();
  }

  /** Whether a compose or image user ("0", "root", "0:0", "root:staff", "") is root. */
  static boolean isRoot(String user) {
    String name = user.strip();
    int colon = name.indexOf(':');
    if (colon >= 0) {
      name = name.substring(0, colon);
    }
    return name.isEmpty() || name.equals("0") || name.equals("root");
  }

  private static void namespace(List<Violation> found, PolicyLevel level, String service, String key, String value) {
    if (value != null && value.strip().equalsIgnoreCase("host")) {
      found.add(new Violation(service, key + ": host", level + " refuses the host's " + switch (key) {
        case "network_mode" -> "network";
        case "pid" -> "PID";
        case "ipc" -> "IPC";
        default -> "UTS";
      } + " namespace"));
    }
  }

  private static String capName(String cap) {
    String c = cap.strip().toUpperCase(Locale.ROOT);
    return c.startsWith("CAP_") ? c.substring(4) : c;
  }

  private static boolean exposesDockerSocket(String source) {
    String s = source.endsWith("/") && source.length() > 1 ? source.substring(0, source.length() - 1) : source;
    for (String socket : DOCKER_SOCKETS) {
      // The socket itself, or a directory that holds it ("/", "/var/run", "/run").
      if (socket.equals(s) || socket.startsWith(s.equals("/") ? "/" : s + "/")) {
        return true;
      }
    }
    return s.endsWith("/docker.sock");
  }
}
