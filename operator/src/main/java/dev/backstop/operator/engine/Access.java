package dev.backstop.operator.engine;

import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.git.GitCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a driver found out about a release's credentials before reconciling it.
 *
 * @param git credentials for the repository, or null for none
 * @param problem why credentials the spec names cannot be used (e.g. a missing Secret), or null;
 *     it blocks the reconcile like an unreachable engine, so no container is touched
 * @param dockerTls TLS material for spec.compose.dockerHost, or null for none
 * @param env stack variables from spec.compose.env and envFrom (values are secret)
 * @param backup S3 credentials, the encryption key and the database password spec.backup names
 */
public record Access(GitCredentials git, Observation.Problem problem, DockerTls dockerTls, StackEnv env,
    BackupSecrets backup) {

  /** No credentials and nothing wrong: local mode, public repositories. */
  public static final Access NONE = new Access(null, null, null);

  public Access {
    env = env == null ? StackEnv.NONE : env;
    backup = backup == null ? BackupSecrets.NONE : backup;
  }

  public Access(GitCredentials git, Observation.Problem problem, DockerTls dockerTls, StackEnv env) {
    this(git, problem, dockerTls, env, BackupSecrets.NONE);
  }

  public Access(GitCredentials git, Observation.Problem problem, DockerTls dockerTls) {
    this(git, problem, dockerTls, StackEnv.NONE);
  }

  public Access(GitCredentials git, Observation.Problem problem) {
    this(git, problem, null);
  }

  /** Only the stack variables: local mode. */
  public static Access of(StackEnv env) {
    return new Access(null, null, null, env);
  }

  /** Stack variables and spec.backup's secrets: local mode. */
  public static Access of(StackEnv env, BackupSecrets backup) {
    return new Access(null, null, null, env, backup);
  }

  // Records print every component; credentials and variables must not reach a log that way.
  @Override
  public String toString() {
    return "Access[git=" + (git != null) + ", problem=" + problem + ", dockerTls=" + (dockerTls != null)
        + ", env=" + env + ", backup=" + backup + "]";
  }

  public static Access blocked(Observation.Problem problem) {
    return new Access(null, problem);
  }

  /** The secret values in here, for the release's redactor; never shown. */
  public List<String> secretValues() {
    List<String> values = new ArrayList<>();
    if (git != null) {
      values.add(git.password());
      values.add(git.sshPrivateKey());
    }
    if (dockerTls != null) {
      values.add(dockerTls.clientKey());
    }
    values.add(backup.secretAccessKey());
    values.add(backup.encryptionKey());
    values.add(backup.databasePassword());
    values.removeIf(Objects::isNull);
    return values;
  }
}
