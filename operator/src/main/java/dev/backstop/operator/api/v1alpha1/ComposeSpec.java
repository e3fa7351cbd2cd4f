package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** How the stack is applied with the `docker compose` v2 CLI. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComposeSpec {

  @Pattern("^[a-z0-9][a-z0-9_-]*$")
  @Size(max = 63)
  @JsonPropertyDescription("Compose project name (-p). Default: metadata.name.")
  private String projectName;

  @Size(max = 1024)
  @ValidationRule(value = "!self.startsWith('/') && !self.matches('(^|/)[.][.](/|$)')",
      message = "path must be relative and stay inside the repository")
  @JsonPropertyDescription(
      "Directory inside the repository that holds the compose files; the project directory. Default: the repository root.")
  private String path;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Compose files relative to path (-f), in order. Default: Compose's own lookup (compose.yaml, docker-compose.yml, ...).")
  private List<String> files;

  @Size(max = 64)
  @JsonPropertyDescription("Env files relative to path (--env-file), in order.")
  private List<String> envFiles;

  @Pattern("^(unix|tcp|ssh)://.+$")
  @JsonPropertyDescription(
      "Docker host to apply to: unix:///var/run/docker.sock, tcp://host:2376 (TLS from"
          + " tlsSecretRef) or ssh://user@host[:port] (the operator user's ~/.ssh key, agent and"
          + " known_hosts; its /var/run/docker.sock is forwarded). Default: the local engine.")
  private String dockerHost;

  @Min(0)
  @JsonPropertyDescription(
      "How many of the last deployed commits keep their built images; the current and the last-known-good commit's images are always kept. Default: 3.")
  private Integer keepImages;

  @JsonPropertyDescription(
      "Pull policy for services with a plain image (missing, always, never), applied before any container is recreated. Default: each service's own pull_policy, as docker compose up applies it. Rollbacks never require a registry: always acts as missing.")
  private String pullPolicy;

  @JsonPropertyDescription(
      "Secret with TLS material for a tcp:// dockerHost: `ca.crt`, `tls.crt` and `tls.key`"
          + " (or ca.pem, cert.pem, key.pem).")
  private SecretReference tlsSecretRef;

  @JsonPropertyDescription(
      "What the stack may ask of its Docker host: Privileged (anything), Baseline (no privileged"
          + " containers, host namespaces, extra capabilities, devices or Docker socket mounts) or"
          + " Restricted (Baseline, and no bind mounts, no cap_add, no containers running as"
          + " root). May be stricter than the operator's --compose-policy ceiling, never looser."
          + " Default: the ceiling.")
  private PolicyLevel policy;

  @JsonPropertyDescription(
      "Literal stack variables for interpolation (${NAME} in the compose files), like a container's"
          + " env; they override envFrom. Passed in the environment of `docker compose`.")
  private List<EnvVar> env;

  @JsonPropertyDescription(
      "Secrets and ConfigMaps whose keys become stack variables, like a container's envFrom; later"
          + " sources override earlier ones. Keys that are not variable names are skipped. Values"
          + " never appear in status, events or logs; a change re-applies the running commit.")
  private List<EnvFromSource> envFrom;

  @Pattern("^[^/].*$")
  @JsonPropertyDescription(
      "Also write the stack variables (env and envFrom) to this file, relative to path, with mode"
          + " 0600 before each apply, so that a service's `env_file:` can name it (e.g. .env).")
  private String envFile;

  @JsonPropertyDescription(
      "Re-apply the running commit when its containers drift from what it renders (changed image or"
          + " definition, a service missing, an extra container). Never during a deploy or rollback, never while"
          + " suspended. Default false: drift is only reported (condition Drifted, status.drift).")
  private Boolean selfHeal;

  public Boolean getSelfHeal() {
    return selfHeal;
  }

  public void setSelfHeal(Boolean selfHeal) {
    this.selfHeal = selfHeal;
  }

  public String getProjectName() {
    return projectName;
  }

  public void setProjectName(String projectName) {
    this.projectName = projectName;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public List<String> getFiles() {
    return files;
  }

  public void setFiles(List<String> files) {
    this.files = files;
  }

  public List<String> getEnvFiles() {
    return envFiles;
  }

  public void setEnvFiles(List<String> envFiles) {
    this.envFiles = envFiles;
  }

  public String getDockerHost() {
    return dockerHost;
  }

  public void setDockerHost(String dockerHost) {
    this.dockerHost = dockerHost;
  }

  public Integer getKeepImages() {
    return keepImages;
  }

  public void setKeepImages(Integer keepImages) {
    this.keepImages = keepImages;
  }

  public String getPullPolicy() {
    return pullPolicy;
  }

  public void setPullPolicy(String pullPolicy) {
    this.pullPolicy = pullPolicy;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public List<EnvFromSource> getEnvFrom() {
    return envFrom;
  }

  public void setEnvFrom(List<EnvFromSource> envFrom) {
    this.envFrom = envFrom;
  }

  public String getEnvFile() {
    return envFile;
  }

  public void setEnvFile(String envFile) {
    this.envFile = envFile;
  }

  public SecretReference getTlsSecretRef() {
    return tlsSecretRef;
  }

  public void setTlsSecretRef(SecretReference tlsSecretRef) {
    this.tlsSecretRef = tlsSecretRef;
  }

  public PolicyLevel getPolicy() {
    return policy;
  }

  public void setPolicy(PolicyLevel policy) {
    this.policy = policy;
  }
}
