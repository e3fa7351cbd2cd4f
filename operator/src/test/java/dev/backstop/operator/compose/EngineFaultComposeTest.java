package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real compose CLI and engine: a port held by a process outside the project is the host's fault. */
class EngineFaultComposeTest {

  @TempDir Path dir;
  private final String name = "bsefp-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerComposeCli cli = new DockerComposeCli(Duration.ofMinutes(2));

  @AfterEach
  void down() throws Exception {
    cli.down(new ComposeProject(name, dir, List.of(), List.of(), null), true);
  }

  @Test
  void aPublishedPortHeldOutsideTheProjectIsAPortConflictNotTheCommitsFault() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Files.writeString(dir.resolve("compose.yaml"), """
          services:
            web:
              image: busybox:1.36
              command: ["sleep", "600"]
              ports: ["127.0.0.1:%d:80"]
          """.formatted(held.getLocalPort()));
      ComposeException e = catchThrowableOfType(
          () -> cli.upFromHostImages(new ComposeProject(name, dir, List.of(), List.of(), DockerEndpoint.LOCAL)),
          ComposeException.class);
      assertThat(e.engineFault()).as(e.getMessage()).isEqualTo(EngineFault.PORT_CONFLICT);
      assertThat(e.getMessage()).contains(String.valueOf(held.getLocalPort()), "held by a process outside the project");
    }
  }

  @Test
  void anUnreachableEngineIsTheEnginesFault() throws Exception {
    Files.writeString(dir.resolve("compose.yaml"), "services: {web: {image: busybox:1.36}}\n");
    DockerEndpoint nowhere = DockerEndpoint.of("tcp://127.0.0.1:1");
    ComposeException e = catchThrowableOfType(
        () -> cli.upFromHostImages(new ComposeProject(name + "x", dir, List.of(), List.of(), nowhere)),
        ComposeException.class);
    assertThat(e.engineFault()).as(e.getMessage()).isEqualTo(EngineFault.UNREACHABLE);
  }
}
