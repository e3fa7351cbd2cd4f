package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.deploy.OperatorImage.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator image from {@code scripts/build-operator-image.sh}, run the way a pod runs it:
 * read-only root, a tmpfs /tmp, a state volume, user 65532. The script is called every time (its
 * Debian base is cached, so a repeat costs seconds); the first build on a fresh machine debootstraps.
 */
class OperatorImageIT {

  static final String IMAGE = "backstop:dev";
  private static final String VOLUME = "backstop-image-it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void buildImage() throws Exception {
    OperatorImage.build();
  }

  @AfterAll
  static void removeVolume() throws Exception {
    run(List.of("docker", "volume", "rm", "-f", VOLUME));
  }

  @Test
  void printsTheVersionOfTheJarItWasBuiltFromAndItsHelpAsThePodUser() throws Exception {
    String version;
    try (JarFile jar = new JarFile(System.getProperty("backstop.jar", "target/backstop.jar"))) {
      version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    assertThat(version).isNotBlank();
    Result v = podLike(List.of(), "--version");
    assertThat(v.exit()).as(v.out()).isZero();
    assertThat(v.out().strip()).isEqualTo("backstop " + version);
    assertThat(imageId("backstop:" + version)).isEqualTo(imageId(IMAGE));

    Result help = podLike(List.of(), "--help");
    assertThat(help.exit()).as(help.out()).isZero();
    assertThat(help.out()).contains("Usage: backstop", "operator", "run");
  }

  /** The entrypoint's JVM runs (--version above) with the launchers' options, capped by the memory limit. */
  @Test
  void itsJvmHasTheLaunchersOptions() throws Exception {
    String[] options = Files.readString(OperatorImage.REPO.resolve("scripts/jvm-options")).trim().split("\\s+");
    Result entrypoint = run(List.of("docker", "image", "inspect", "-f", "{{json .Config.Entrypoint}}", IMAGE));
    assertThat(entrypoint.exit()).as(entrypoint.out()).isZero();
    assertThat(entrypoint.out()).contains("\"-XX:MaxRAMPercentage=75\"");
    for (String option : options) {
      assertThat(entrypoint.out()).as("the image's entrypoint").contains("\"" + option + "\"");
    }
  }

  @Test
  void composeV2AndSshWorkForTheOperatorUser() throws Exception {
    Result compose = podLike(List.of("--entrypoint", "docker"), "compose", "version", "--short");
    assertThat(compose.exit()).as(compose.out()).isZero();
    assertThat(compose.out().strip()).startsWith("2.");

    Result sshVersion = podLike(List.of("--entrypoint", "ssh"), "-V");
    assertThat(sshVersion.exit()).as(sshVersion.out()).isZero();
    assertThat(sshVersion.out()).startsWith("OpenSSH_");
    // ssh refuses a uid without a passwd entry and takes ~/.ssh from it, not from $HOME.
    Result sshConfig = podLike(List.of("--entrypoint", "ssh"), "-G", "docker-host.example");
    assertThat(sshConfig.exit()).as(sshConfig.out()).isZero();
    assertThat(sshConfig.out()).contains("user backstop", "userknownhostsfile /home/backstop/.ssh/known_hosts");
  }

  @Test
  void writesOnlyToTmpTheStateVolumeAndHome() throws Exception {
    Result r = podLike(List.of("--entrypoint", "sh"), "-c",
        "id -u; id -g; touch /tmp/t /var/lib/backstop/s /home/backstop/h && echo writable;"
            + " touch /opt/backstop/x 2>/dev/null || echo root-read-only");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out().lines().toList()).containsExactly("65532", "65532", "writable", "root-read-only");
  }

  @Test
  void itsDockerCliTalksToARealEngineThroughTheMountedSocket() throws Exception {
    String gid = Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid").toString();
    Result r = podLike(List.of("--group-add", gid, "-v", "/var/run/docker.sock:/var/run/docker.sock",
        "--entrypoint", "docker"), "version", "--format", "{{.Server.APIVersion}}");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out().strip()).matches("1\\.\\d+");
  }

  /** {@code docker run} with the pod's constraints; {@code extra} goes before the image. */
  private static Result podLike(List<String> extra, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp",
        "--tmpfs", "/home/backstop:uid=65532,gid=65532", "-v", VOLUME + ":/var/lib/backstop",
        "--user", "65532:65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"));
    cmd.addAll(extra);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static Result run(List<String> command) throws Exception {
    return OperatorImage.run(command, OperatorImage.REPO, 120);
  }

  private static String imageId(String ref) throws Exception {
    Result r = run(List.of("docker", "image", "inspect", "-f", "{{.Id}}", ref));
    assertThat(r.exit()).as("docker image inspect %s: %s", ref, r.out()).isZero();
    return r.out().strip();
  }
}
