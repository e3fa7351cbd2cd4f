package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final String IMAGE = "backstop:dev";
  private static final String VOLUME = "backstop-image-it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void buildImage() throws Exception {
    long start = System.nanoTime();
    Result r = Result.of(new ProcessBuilder("bash", "scripts/build-operator-image.sh").directory(REPO.toFile()), 900);
    System.out.printf("[OperatorImageIT] build-operator-image.sh took %.1f s:%n%s%n",
        (System.nanoTime() - start) / 1e9, r.out.strip());
    assertThat(r.exit).as("build-operator-image.sh: %s", r.out).isZero();
  }

  @AfterAll
  static void removeVolume() throws Exception {
    Result.of(new ProcessBuilder("docker", "volume", "rm", "-f", VOLUME), 60);
  }

  @Test
  void printsTheVersionOfTheJarItWasBuiltFromAndItsHelpAsThePodUser() throws Exception {
    String version;
    try (JarFile jar = new JarFile(System.getProperty("backstop.jar", "target/backstop.jar"))) {
      version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    assertThat(version).isNotBlank();
    Result v = podLike(List.of(), "--version");
    assertThat(v.exit).as(v.out).isZero();
    assertThat(v.out.strip()).isEqualTo("backstop " + version);
    assertThat(imageId("backstop:" + version)).isEqualTo(imageId(IMAGE));

    Result help = podLike(List.of(), "--help");
    assertThat(help.exit).as(help.out).isZero();
    assertThat(help.out).contains("Usage: backstop", "operator", "run");
  }

  @Test
  void composeV2AndSshWorkForTheOperatorUser() throws Exception {
    Result compose = podLike(List.of("--entrypoint", "docker"), "compose", "version", "--short");
    assertThat(compose.exit).as(compose.out).isZero();
    assertThat(compose.out.strip()).startsWith("2.");

    Result sshVersion = podLike(List.of("--entrypoint", "ssh"), "-V");
    assertThat(sshVersion.exit).as(sshVersion.out).isZero();
    assertThat(sshVersion.out).startsWith("OpenSSH_");
    // ssh refuses a uid without a passwd entry and takes ~/.ssh from it, not from $HOME.
    Result sshConfig = podLike(List.of("--entrypoint", "ssh"), "-G", "docker-host.example");
    assertThat(sshConfig.exit).as(sshConfig.out).isZero();
    assertThat(sshConfig.out).contains("user backstop", "userknownhostsfile /home/backstop/.ssh/known_hosts");
  }

  @Test
  void writesOnlyToTmpTheStateVolumeAndHome() throws Exception {
    Result r = podLike(List.of("--entrypoint", "sh"), "-c",
        "id -u; id -g; touch /tmp/t /var/lib/backstop/s /home/backstop/h && echo writable;"
            + " touch /opt/backstop/x 2>/dev/null || echo root-read-only");
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.out.lines().toList()).containsExactly("65532", "65532", "writable", "root-read-only");
  }

  @Test
  void itsDockerCliTalksToARealEngineThroughTheMountedSocket() throws Exception {
    String gid = Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid").toString();
    Result r = podLike(List.of("--group-add", gid, "-v", "/var/run/docker.sock:/var/run/docker.sock",
        "--entrypoint", "docker"), "version", "--format", "{{.Server.APIVersion}}");
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.out.strip()).matches("1\\.\\d+");
  }

  /** {@code docker run} with the pod's constraints; {@code extra} goes before the image. */
  private static Result podLike(List<String> extra, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp",
        "--tmpfs", "/home/backstop:uid=65532,gid=65532", "-v", VOLUME + ":/var/lib/backstop",
        "--user", "65532:65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"));
    cmd.addAll(extra);
    cmd.add(IMAGE);
    cmd.addAll(List.of(args));
    return Result.of(new ProcessBuilder(cmd), 120);
  }

  private static String imageId(String ref) throws Exception {
    Result r = Result.of(new ProcessBuilder("docker", "image", "inspect", "-f", "{{.Id}}", ref), 30);
    assertThat(r.exit).as("docker image inspect %s: %s", ref, r.out).isZero();
    return r.out.strip();
  }

  /** A finished process: exit code and its stdout and stderr together. */
  record Result(int exit, String out) {
    static Result of(ProcessBuilder pb, int timeoutSeconds) throws IOException, InterruptedException {
      // Output to a file, so that the bound holds even for a process that never closes its stdout.
      Path log = Files.createTempFile("backstop-image-it", ".log");
      try {
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException(String.join(" ", pb.command()) + " did not finish in " + timeoutSeconds
              + " s: " + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    }
  }
}
