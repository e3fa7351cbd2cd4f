package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `backstop doctor` from the built jar against the real engine, the real Compose CLI and a real
 * git repository (the demo's): what passes says what it found, what fails says why.
 */
class DoctorIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path repo;
  private Path manifests;

  @BeforeEach
  void repository() throws Exception {
    repo = DemoRepo.create(tmp.resolve("repo")).dir;
    manifests = Files.createDirectories(tmp.resolve("releases"));
  }

  @Test
  void aReleaseThatCanRollBackPassesEveryCheckButTheEnginesOwnLimits() throws Exception {
    int port = LocalModeIT.freePort();
    // tar is in busybox: the backup tool check finds it by running the image (no network).
    write("ok", "v1", port, """
          backup:
            service: web
            command: tar -c -C /www .
            restoreCommand: tar -x -C /www
        """);
    Run run = doctor("--manifests", manifests.toString(), "-o", "json");
    Map<String, JsonNode> rows = rows(run.out);
    assertThat(rows.keySet()).contains("engine local", "compose local", "git ok", "compose files ok", "backup ok",
        "disk state directory", "disk backups of ok", "port ok:" + port, "networks local");
    for (Map.Entry<String, JsonNode> row : rows.entrySet()) {
      // How many networks other stacks on this shared engine hold is not this release's doing.
      if (!row.getKey().equals("networks local")) {
        assertThat(row.getValue().path("status").asText()).as(row.getKey() + ": " + row.getValue()).isEqualTo("PASS");
      }
    }
    assertThat(rows.get("git ok").path("detail").asText()).contains("ref v1 is commit ", "file://" + repo);
    assertThat(rows.get("backup ok").path("detail").asText()).contains("tar present in busybox:1.36 (service web)");
    assertThat(rows.get("engine local").path("detail").asText()).startsWith("Docker Engine ").contains("(API 1.");
    assertThat(rows.get("compose local").path("detail").asText()).startsWith("Compose 2.");
    boolean networksPass = rows.get("networks local").path("status").asText().equals("PASS");
    assertThat(run.exit).isEqualTo(networksPass ? 0 : 1);
    assertThat(JSON.readTree(run.out).path("passed").asBoolean()).isEqualTo(networksPass);
  }

  @Test
  void aMissingRefAHeldPortAndAMissingBackupToolFailWithWhatToDo() throws Exception {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = held.getLocalPort();
      write("held", "v1", port, """
            backup:
              service: web
              preset: postgres
              database: shop
              user: shop
          """);
      write("gone", "v9", LocalModeIT.freePort(), "");
      Run run = doctor("--manifests", manifests.toString());
      assertThat(run.exit).isEqualTo(1);
      List<String> lines = run.out.lines().toList();
      assertThat(lines.get(0)).matches("NAME +STATUS +DETAIL");
      assertThat(line(lines, "port held:" + port))
          .contains("FAIL", "held by a process outside Docker", "stop that or change the port");
      assertThat(line(lines, "backup held"))
          .contains("FAIL", "pg_dump, pg_restore, psql not found in busybox:1.36 (service web)");
      assertThat(line(lines, "git gone")).contains("FAIL", "ref 'v9' is no branch or tag of file://" + repo);
      assertThat(lines.get(lines.size() - 1)).matches("\\d+ failed, \\d+ warned of \\d+ checks");
      assertThat(run.out).doesNotContain("Exception");
    }
  }

  @Test
  void aBadManifestIsAFailingRowAndBadOptionsAreOneSentence() throws Exception {
    Files.writeString(manifests.resolve("bad.yaml"), """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: bad
        spec:
          source:
            url: file:///nowhere
        """);
    Run run = doctor("--manifests", manifests.toString(), "-o", "json");
    assertThat(run.exit).isEqualTo(1);
    assertThat(rows(run.out).get("manifest").path("detail").asText()).contains("bad", "spec.source.ref");

    Run wrong = doctor("--manifests", tmp.resolve("missing").toString());
    assertThat(wrong.exit).isEqualTo(2);
    assertThat(wrong.out.strip()).isEqualTo("error: --manifests " + tmp.resolve("missing") + " is not a directory");
    Run help = doctor("--help");
    assertThat(help.exit).isZero();
    assertThat(help.out).contains("--manifests", "-o, --output");
  }

  private void write(String name, String ref, int port, String extra) throws Exception {
    // The demo stack publishes ${DEMO_PORT}: a port of this test's choosing, through spec.compose.env.
    String manifest = DemoRepo.manifest(name, repo, ref, "doctor-it-" + name + "-" + ProcessHandle.current().pid())
        .replace("    projectName: ", "    env:\n      - {name: DEMO_PORT, value: \"" + port + "\"}\n    projectName: ");
    Files.writeString(manifests.resolve(name + ".yaml"), manifest + extra);
  }

  private static String line(List<String> lines, String name) {
    return lines.stream().filter(l -> l.startsWith(name + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + name + " in " + lines));
  }

  private static Map<String, JsonNode> rows(String json) throws Exception {
    Map<String, JsonNode> rows = new LinkedHashMap<>();
    for (JsonNode row : JSON.readTree(json).path("checks")) {
      rows.put(row.path("name").asText(), row);
    }
    return rows;
  }

  private Run doctor(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "doctor",
        "--state", tmp.resolve("state").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private record Run(int exit, String out) {}
}
