package dev.backstop.operator.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The allowlisted environment of every child process Backstop starts (`docker compose`, `docker`,
 * `ssh`). A compose file can interpolate any variable its process holds and a container can be
 * handed any of them, so a child gets only PATH, a private HOME, what Backstop itself sets for the
 * release (DOCKER_HOST, DOCKER_CERT_PATH, COMPOSE_* ...), the variables the release declares and
 * those the operator named with {@code --stack-env}; never the rest of the operator's own
 * (tokens, BACKSTOP_*, KUBERNETES_*).
 */
public final class SubprocessEnv {

  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

  private static final List<String> LOCAL_ENGINE =
      List.of("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH");

  private final Path home;
  private final Function<String, String> host;
  private final Set<String> passed;
  private volatile boolean homeReady;

  /**
   * @param home the private HOME of child processes, created 0700 on first use (a directory under
   *     the state directory)
   * @param host the process's own environment ({@code System::getenv}); only PATH, the local
   *     engine's DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH and, for ssh, the real HOME and
   *     SSH_AUTH_SOCK are ever read from it
   */
  public SubprocessEnv(Path home, Function<String, String> host) {
    this(home, host, Set.of());
  }

  /**
   * @param passed names of the process's own variables the operator chose to hand to every stack
   *     ({@code --stack-env}); nothing else of its environment is
   */
  public SubprocessEnv(Path home, Function<String, String> host, Set<String> passed) {
    this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
    this.host = Objects.requireNonNull(host, "host");
    this.passed = Set.copyOf(passed);
  }

  /**
   * A private HOME in a fresh temporary directory, made 0700 when a child first needs it (tests and
   * one-shot CLI commands, which have no state directory).
   */
  public static SubprocessEnv inTempHome() {
    return new SubprocessEnv(
        Path.of(System.getProperty("java.io.tmpdir"), "backstop-home-" + UUID.randomUUID()), System::getenv);
  }

  /** The private HOME children get. */
  public Path home() {
    return home;
  }

  /** A fresh environment for one child process. */
  public Builder builder() {
    return new Builder();
  }

  /**
   * Names only Backstop sets: a stack's variables must not pick the engine (DOCKER_HOST,
   * DOCKER_CONTEXT), the files (COMPOSE_FILE) or code loaded into the CLI itself (LD_PRELOAD).
   */
  static boolean reserved(String name) {
    return name.startsWith("DOCKER_") || name.startsWith("COMPOSE_") || name.startsWith("LD_")
        || name.equals("PATH") || name.equals("HOME") || name.equals("SSH_AUTH_SOCK");
  }

  private Path readyHome() {
    if (!homeReady) {
      try {
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PRIVATE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the private HOME " + home, e);
      }
      homeReady = true;
    }
    return home;
  }

  /** Collects one child's variables; {@link #applyTo} replaces the inherited environment. */
  public final class Builder {
    private final Map<String, String> extra = new LinkedHashMap<>();
    private final Map<String, String> own = new LinkedHashMap<>();
    private DockerEndpoint endpoint;
    private boolean sshUser;

    private Builder() {}

    /**
     * Variables the release declares for its stack (spec.compose.env, once it exists). Backstop's
     * own values win over them, so a release cannot redirect PATH, HOME or DOCKER_HOST.
     */
    public Builder extra(Map<String, String> vars) {
      extra.putAll(vars);
      return this;
    }

    /** A variable Backstop itself sets for this child (COMPOSE_ANSI, COMPOSE_PROGRESS ...). */
    public Builder set(String name, String value) {
      own.put(name, value);
      return this;
    }

    /** DOCKER_HOST and the TLS variables of the engine this child talks to. */
    public Builder endpoint(DockerEndpoint endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * For a child that logs in over ssh with the operator user's own keys: the real HOME and the
     * ssh agent. OpenSSH finds ~/.ssh through the password database anyway; HOME is kept so that
     * nothing else is surprised.
     */
    public Builder sshUser() {
      this.sshUser = true;
      return this;
    }

    /** The environment, in the order it was built. */
    public Map<String, String> build() {
      Map<String, String> env = new LinkedHashMap<>();
      for (String name : passed) {
        String value = host.apply(name);
        if (value != null && !reserved(name)) {
          env.put(name, value);
        }
      }
      extra.forEach((name, value) -> {
        if (!reserved(name)) {
          env.put(name, value);
        }
      });
      String path = host.apply("PATH");
      env.put("PATH", path == null || path.isBlank() ? "/usr/local/bin:/usr/bin:/bin" : path);
      String realHome = host.apply("HOME");
      if (sshUser && realHome != null) {
        env.put("HOME", realHome);
        String agent = host.apply("SSH_AUTH_SOCK");
        if (agent != null) {
          env.put("SSH_AUTH_SOCK", agent);
        }
      } else {
        env.put("HOME", readyHome().toString());
      }
      // Without it the docker CLI would look for ~/.docker in the private HOME anyway; explicit
      // so that a DOCKER_CONFIG from extra cannot point at the operator's registry logins.
      env.put("DOCKER_CONFIG", readyHome().resolve(".docker").toString());
      env.putAll(own);
      if (endpoint != null && endpoint.host() != null) {
        endpoint.configureCli(env);
      } else if (endpoint != null) {
        // "The local engine" is the one docker-java reaches too: the operator's own DOCKER_HOST
        // (a dind sidecar, say) and its TLS files, the only DOCKER_* values taken from outside.
        for (String name : LOCAL_ENGINE) {
          String value = host.apply(name);
          if (value != null) {
            env.put(name, value);
          }
        }
      }
      return env;
    }

    /** Replaces {@code builder}'s inherited environment with {@link #build()}. */
    public ProcessBuilder applyTo(ProcessBuilder builder) {
      Map<String, String> env = build();
      builder.environment().clear();
      builder.environment().putAll(env);
      return builder;
    }
  }

}
