package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.core.ImageSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confinement and policy against the real Compose CLI and engine: every refusal comes before any
 * image is built or container created, and names the service and the setting.
 */
class StackGuardIT {

  private static final String C1 = "1111111111111111111111111111111111111111";
  private static final ImageSettings DEFAULTS = new ImageSettings(3, null);

  @TempDir Path tmp;
  private Path checkout;
  private final String project = "bsgd-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerComposeCli cli = new DockerComposeCli(Duration.ofMinutes(2));
  private final StackImages images = new StackImages(cli);

  @BeforeEach
  void createCheckout() throws IOException {
    checkout = Files.createDirectories(tmp.resolve("checkouts").resolve(C1));
    Files.createDirectories(checkout.resolve("www"));
    Files.writeString(checkout.resolve("app.env"), "MODE=staging\n");
    Files.writeString(tmp.resolve("checkouts/outside.env"), "SECRET=x\n");
  }

  @AfterEach
  void cleanUp() throws Exception {
    docker("compose", "-p", project, "down", "-t", "0", "--remove-orphans");
    for (String id : docker("image", "ls", "-q", "--filter", "label=dev.backstop.project=" + project)
        .lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList()) {
      docker("image", "rm", "-f", id);
    }
  }

  @Test
  void pathsOutsideTheCheckoutAreRefusedNamingServiceAndFieldAndNothingStarts() throws Exception {
    Files.createSymbolicLink(checkout.resolve("etc-link"), Path.of("/etc"));
    List<List<String>> cases = List.of(
        List.of("volumes: ['./etc-link:/host-etc:ro']", "service web: volumes (bind mount to /host-etc)",
            "resolves to /etc"),
        List.of("build: {context: ..}", "service web: build.context", "outside the checkout"),
        List.of("volumes: ['/var/run/docker.sock:/var/run/docker.sock']",
            "service web: volumes (bind mount to /var/run/docker.sock)", "outside the checkout"),
        List.of("volumes: ['..:/up']", "service web: volumes (bind mount to /up)", "outside the checkout"),
        List.of("env_file: [../outside.env]", "service web: env_file", "outside the checkout"));
    for (List<String> c : cases) {
      writeCompose("""
          services:
            web:
              image: busybox:1.36
              command: ["sleep", "600"]
              %s
          """.formatted(c.get(0)));
      for (PolicyLevel level : PolicyLevel.values()) {
        assertThatThrownBy(() -> prepare(level))
            .as(c.get(0) + " under " + level)
            .isInstanceOfSatisfying(StackImages.Failure.class, f -> {
              assertThat(f.reason()).isEqualTo(Reason.ComposeInvalid);
              assertThat(f.getMessage()).contains(c.get(1), c.get(2));
            });
      }
      assertNothingOnTheHost();
    }
  }

  @Test
  void filesInsideTheCheckoutPassAndRun() throws Exception {
    writeCompose("""
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            init: true
            env_file: [app.env]
            volumes: ['./www:/www:ro', 'data:/data']
        volumes:
          data: {}
        """);
    cli.upFromHostImages(prepare(PolicyLevel.Baseline).project());
    assertThat(docker("compose", "-p", project, "exec", "-T", "web", "sh", "-c", "echo $MODE")).isEqualToIgnoringWhitespace("staging");
  }

  @Test
  void aPrivilegedServiceIsRefusedUnderBaselineAndTheRunningStackIsUntouched() throws Exception {
    writeCompose("""
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            init: true
        """);
    cli.upFromHostImages(prepare(PolicyLevel.Baseline).project());
    String before = containerId();

    writeCompose("""
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "601"]
            init: true
            privileged: true
            cap_add: [SYS_ADMIN, CHOWN]
        """);
    assertThatThrownBy(() -> prepare(PolicyLevel.Baseline))
        .isInstanceOfSatisfying(StackImages.Failure.class, f -> {
          assertThat(f.reason()).isEqualTo(Reason.PolicyViolation);
          assertThat(f.getMessage()).contains("service web: privileged: true", "service web: cap_add: SYS_ADMIN")
              .doesNotContain("CHOWN");
        });
    assertThat(containerId()).isEqualTo(before);
    assertThat(docker("inspect", "--format", "{{.State.Running}} {{.HostConfig.Privileged}}", before))
        .isEqualToIgnoringWhitespace("true false");
    // The same commit under Privileged is accepted: the level decides, not the file.
    assertThat(prepare(PolicyLevel.Privileged).project()).isNotNull();
  }

  @Test
  void restrictedRefusesAnImageThatRunsAsRootAndAcceptsANonRootUser() throws Exception {
    writeCompose("""
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            volumes: ['data:/data']
        volumes:
          data: {}
        """);
    assertThatThrownBy(() -> prepare(PolicyLevel.Restricted))
        .isInstanceOfSatisfying(StackImages.Failure.class, f -> {
          assertThat(f.reason()).isEqualTo(Reason.PolicyViolation);
          assertThat(f.getMessage()).contains("service web: user: (unset)", "busybox:1.36 runs as root");
        });
    assertThat(docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project)).isBlank();

    writeCompose("""
        services:
          web:
            image: busybox:1.36
            command: ["sleep", "600"]
            user: "1000:1000"
            volumes: ['data:/data']
        volumes:
          data: {}
        """);
    assertThat(prepare(PolicyLevel.Restricted).project()).isNotNull();
  }

  private StackImages.Prepared prepare(PolicyLevel level) throws StackImages.Failure {
    ComposeProject p = new ComposeProject(project, checkout, List.of(), List.of(), null);
    return images.prepare("r", DEFAULTS, false, C1, p, tmp.resolve("state"), new StackGuard.Rules(checkout, level));
  }

  private void writeCompose(String yaml) throws IOException {
    Files.writeString(checkout.resolve("compose.yaml"), yaml);
  }

  private void assertNothingOnTheHost() throws Exception {
    assertThat(docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project)).isBlank();
    assertThat(docker("image", "ls", "-q", "--filter", "label=dev.backstop.project=" + project)).isBlank();
  }

  private String containerId() throws Exception {
    return docker("ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=" + project).strip();
  }

  private static String docker(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
