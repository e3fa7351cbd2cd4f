package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubprocessEnvTest {

  @TempDir Path tmp;

  private final Map<String, String> operator = Map.of(
      "PATH", "/opt/bin:/usr/bin",
      "HOME", "/home/op",
      "BACKSTOP_GIT_TOKEN", "t0ken",
      "KUBERNETES_SERVICE_HOST", "10.0.0.1",
      "AWS_SECRET_ACCESS_KEY", "s3cret",
      "SSH_AUTH_SOCK", "/tmp/agent.sock",
      "DEMO_PORT", "18080",
      "COMPOSE_FILE", "/elsewhere/compose.yaml");

  private SubprocessEnv env(Set<String> passed) {
    return new SubprocessEnv(tmp.resolve("state/home"), operator::get, passed);
  }

  @Test
  void aChildGetsPathAPrivateHomeAndNothingOfTheOperators() throws Exception {
    Map<String, String> built = env(Set.of()).builder().set("COMPOSE_ANSI", "never").build();
    Path home = tmp.resolve("state/home");
    assertThat(built).containsOnlyKeys("PATH", "HOME", "DOCKER_CONFIG", "COMPOSE_ANSI");
    assertThat(built).containsEntry("PATH", "/opt/bin:/usr/bin").containsEntry("HOME", home.toString())
        .containsEntry("DOCKER_CONFIG", home.resolve(".docker").toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
  }

  @Test
  void theEndpointSetsItsOwnDockerVariables() {
    DockerEndpoint tls = new DockerEndpoint("tcp://h:2376", tmp.resolve("tls"), "abc", null);
    Map<String, String> built = env(Set.of()).builder().endpoint(tls).build();
    assertThat(built).containsEntry("DOCKER_HOST", "tcp://h:2376").containsEntry("DOCKER_TLS_VERIFY", "1")
        .containsEntry("DOCKER_CERT_PATH", tmp.resolve("tls").toString());
  }

  @Test
  void theLocalEngineIsTheOperatorsDockerHostAndNothingElseOfIt() {
    Map<String, String> hostEnv = Map.of("PATH", "/usr/bin", "DOCKER_HOST", "tcp://dind:2375", "DOCKER_CONTEXT", "x");
    Map<String, String> built = new SubprocessEnv(tmp.resolve("h"), hostEnv::get).builder()
        .endpoint(DockerEndpoint.LOCAL).build();
    assertThat(built).containsEntry("DOCKER_HOST", "tcp://dind:2375").doesNotContainKey("DOCKER_CONTEXT");
  }

  @Test
  void releaseAndNamedVariablesPassButCannotRedirectBackstopsOwn() {
    Map<String, String> built = env(Set.of("DEMO_PORT")).builder()
        .extra(Map.of("APP_MODE", "staging", "PATH", "/evil", "DOCKER_HOST", "tcp://evil:1"))
        .endpoint(DockerEndpoint.of("tcp://good:2375"))
        .build();
    assertThat(built).containsEntry("DEMO_PORT", "18080").containsEntry("APP_MODE", "staging")
        .containsEntry("PATH", "/opt/bin:/usr/bin").containsEntry("DOCKER_HOST", "tcp://good:2375")
        .doesNotContainKeys("BACKSTOP_GIT_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK");
  }

  @Test
  void aReleaseCannotPickTheEngineTheFilesOrCodeLoadedIntoTheCli() {
    Map<String, String> built = env(Set.of("COMPOSE_FILE")).builder()
        .extra(Map.of("DOCKER_HOST", "tcp://evil:1", "DOCKER_CONTEXT", "evil", "LD_PRELOAD", "/x.so",
            "COMPOSE_PROJECT_NAME", "other", "SSH_AUTH_SOCK", "/s", "APP", "ok"))
        .endpoint(DockerEndpoint.LOCAL)
        .build();
    assertThat(built).containsEntry("APP", "ok")
        .doesNotContainKeys("DOCKER_HOST", "DOCKER_CONTEXT", "LD_PRELOAD", "COMPOSE_PROJECT_NAME", "SSH_AUTH_SOCK",
            "COMPOSE_FILE");
  }

  @Test
  void sshWithTheOperatorsKeysGetsTheRealHomeAndAgentOnly() {
    Map<String, String> built = env(Set.of()).builder().sshUser().build();
    assertThat(built).containsEntry("HOME", "/home/op").containsEntry("SSH_AUTH_SOCK", "/tmp/agent.sock")
        .doesNotContainKeys("BACKSTOP_GIT_TOKEN", "KUBERNETES_SERVICE_HOST");
  }

  @Test
  void applyToReplacesTheInheritedEnvironment() {
    ProcessBuilder pb = new ProcessBuilder("true");
    pb.environment().put("BACKSTOP_TEST_SECRET", "leak");
    env(Set.of()).builder().applyTo(pb);
    assertThat(pb.environment()).doesNotContainKey("BACKSTOP_TEST_SECRET").containsKey("PATH");
  }
}
