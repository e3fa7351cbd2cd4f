package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.local.StatusStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first-hour block, run as written by bash with `backstop` on the PATH: init writes a
 * manifest from a real repository's compose file, doctor checks it, run deploys it on the real
 * engine, wait sees it Ready, and bash sources the completion script.
 */
class FirstHourIT {

  private static final Path README = Path.of("../README.md");
  private static final Pattern BLOCK = Pattern.compile("<!-- first-hour -->\\n```sh\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path tmp;

  @AfterEach
  void down() throws Exception {
    new ProcessBuilder("docker", "compose", "-p", "shop", "down", "--remove-orphans", "-t", "1")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
  }

  @Test
  void theReadmeBlockDeploysWhatInitWroteAndItTurnsReady() throws Exception {
    Matcher m = BLOCK.matcher(Files.readString(README));
    assertThat(m.find()).as("the README's <!-- first-hour --> block").isTrue();
    int appPort = LocalModeIT.freePort();
    int apiPort = LocalModeIT.freePort();
    // The one change: free ports, as other stacks share this engine.
    String block = m.group(1).replace("--port 8080", "--port " + apiPort);
    assertThat(block).contains("backstop init", "backstop doctor", "backstop run", "backstop wait", "completion bash");

    Path repo = fixtureRepo(tmp.resolve("shop"), appPort);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path launcher = Files.writeString(bin.resolve("backstop"), "#!/bin/sh\nexec '" + LocalModeIT.javaBin() + "' -jar '"
        + Path.of(LocalModeIT.jar()).toAbsolutePath() + "' \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    String script = "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"
        + "trap 'echo \"FAILED($?): $BASH_COMMAND\"' ERR\n" + block + "complete -p backstop\necho BLOCK-DONE\n";
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("REPO", "file://" + repo);
    Process bash = pb.start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(420, TimeUnit.SECONDS)).isTrue();

    String manifest = Files.readString(work.resolve("releases/shop.yaml"));
    assertThat(manifest).contains("name: shop", "type: serviceHealth", "type: http",
        "url: \"http://127.0.0.1:" + appPort + "/health\"");
    // doctor: every check passes but maybe the address pools other stacks on this engine hold.
    List<String> failed = out.lines().filter(l -> l.matches("\\S.* (FAIL|WARN) .*")).toList();
    assertThat(failed).as(out).allMatch(l -> l.startsWith("networks "));
    assertThat(out).as(out).contains("port shop:" + appPort, "git shop", "BLOCK-DONE",
        "-F _complete_backstop backstop");
    List<String> failures = out.lines().filter(l -> l.startsWith("FAILED(")).toList();
    assertThat(failures).as(out).allMatch(l -> l.contains("backstop doctor") && failed.size() > 0);
    assertThat(out).doesNotContain("Exception");
    assertThat(new StatusStore(work.resolve(".backstop")).read("shop").orElseThrow().getPhase())
        .isEqualTo(Phase.Healthy);

    // Without --manifests, doctor checks the releases the state directory records; the stack now
    // runs, so its port is held by its own project, which passes.
    Process doctor = new ProcessBuilder(launcher.toString(), "doctor", "-o", "json").directory(work.toFile())
        .redirectErrorStream(true).start();
    String json = new String(doctor.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(doctor.waitFor(180, TimeUnit.SECONDS)).isTrue();
    JsonNode port = null;
    for (JsonNode row : new ObjectMapper().readTree(json).path("checks")) {
      if (row.path("name").asText().equals("port shop:" + appPort)) {
        port = row;
      }
    }
    assertThat(port).as(json).isNotNull();
    assertThat(port.path("status").asText()).isEqualTo("PASS");
    assertThat(port.path("detail").asText()).isEqualTo("held by the release's own container shop-web-1");
  }

  private static Path fixtureRepo(Path dir, int port) throws Exception {
    DemoRepo.create(dir);
    Path compose = dir.resolve("compose.yaml");
    Files.writeString(compose, Files.readString(compose).replace("${DEMO_PORT:-18080}", String.valueOf(port)));
    DemoRepo.run(List.of("git", "commit", "-qam", "a port of the test's own"), dir);
    DemoRepo.run(List.of("git", "tag", "-f", "v1"), dir);
    return dir;
  }
}
