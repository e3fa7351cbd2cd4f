package dev.backstop.operator.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.deploy.OperatorImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's ssh layout, checked with the operator image and a real sshd: a key and known_hosts
 * mounted read-only as ~/.ssh the way the kubelet mounts a Secret with fsGroup 65532 and
 * defaultMode 0440 (root-owned, group-readable), used by the image's user 65532 with a read-only
 * root filesystem, by plain ssh (as Backstop's socket forward runs it) and by the docker CLI.
 */
class OperatorImageSshIT {

  @TempDir static Path tmp;
  private static TestSshd sshd;
  private static Path secret;

  @BeforeAll
  static void start() throws Exception {
    OperatorImage.build();
    sshd = TestSshd.start(Files.createDirectories(tmp.resolve("sshd")));
    secret = Files.createDirectories(tmp.resolve("secret"));
    Files.copy(sshd.clientKey, secret.resolve("id_ed25519"));
    Files.writeString(secret.resolve("known_hosts"), sshd.knownHosts);
    for (String f : List.of("id_ed25519", "known_hosts")) {
      Processes.run(secret, List.of("chown", "0:65532", f));
      Files.setPosixFilePermissions(secret.resolve(f), PosixFilePermissions.fromString("r--r-----"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
  }

  @Test
  void sshWithTheMountedKeyReachesTheHostAndChecksItsKey() throws Exception {
    OperatorImage.Result r = asOperator("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-p", String.valueOf(sshd.port), "root@127.0.0.1", "echo", "hello-from-sshd");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("hello-from-sshd");
  }

  @Test
  void theDockerCliReachesTheEngineBehindTheSshHost() throws Exception {
    OperatorImage.Result r = asOperator("docker", "-H", "ssh://root@127.0.0.1:" + sshd.port, "version",
        "--format", "{{.Server.APIVersion}}");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out().strip()).matches("1\\.\\d+");
  }

  private static OperatorImage.Result asOperator(String entrypoint, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--network", "host", "--read-only",
        "--tmpfs", "/tmp", "--tmpfs", "/home/backstop:exec,uid=65532,gid=65532",
        "-v", secret + ":/home/backstop/.ssh:ro", "--user", "65532:65532", "--group-add", "65532",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--entrypoint", entrypoint, "backstop:dev"));
    cmd.addAll(List.of(args));
    return OperatorImage.run(cmd, tmp, 120);
  }
}
