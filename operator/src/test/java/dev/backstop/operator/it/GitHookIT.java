package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.hooks.HookSignature;
import dev.backstop.operator.local.StatusStore;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instant GitOps with real parts: the built jar in local mode with a 10 minute pollInterval, a
 * bare repository whose post-receive hook posts a GitHub-style push payload (signed with openssl,
 * sent with curl) to /hooks/git, a real `git push`, and the real Compose stack it deploys.
 */
class GitHookIT {

  @TempDir Path tmp;
  private final String project = "bshook-" + UUID.randomUUID().toString().substring(0, 8);
  private Process daemon;
  private int apiPort;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void aPushDeploysAtOnceAndUnsignedOrForgedPayloadsAreRefused() throws Exception {
    DemoRepo work = DemoRepo.create(tmp.resolve("work"));
    String v3 = work.commit("v3");
    HookedRepo repo = HookedRepo.create(work, tmp.resolve("shop.git"), "v1");
    Path bare = repo.bare;

    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    StatusStore store = new StatusStore(state);
    // A trailing slash and .git-less spelling in the payload must still match this URL.
    DemoRepo.write(manifests.resolve("demo.yaml"), DemoRepo.manifest("demo", bare, "main", project)
        .replace("    ref: main\n", "    ref: main\n    pollInterval: 10m\n"));
    apiPort = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env",
        "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(LocalModeIT.freePort()));
    Path log = tmp.resolve("backstop.log");
    daemon = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .until(() -> store.read("demo").map(s -> s.getPhase() == Phase.Healthy).orElse(false));

    Path secretFile = state.resolve("hook-secret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile))).isEqualTo("rw-------");
    String secret = Files.readString(secretFile).strip();
    repo.installPostReceive(secretFile, apiPort);

    long pushed = System.nanoTime();
    String pushOutput = repo.push("v3");
    double pushSeconds = (System.nanoTime() - pushed) / 1e9;
    String started = "DeployStarted      deploying main (" + v3.substring(0, 7) + ")";
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> Files.readString(log).contains(started));
    double seconds = (System.nanoTime() - pushed) / 1e9;
    System.out.printf("[figures] git push -> DeployStarted observed: %.2f s (target under 1 s; pollInterval 10m);"
        + " the git push itself, hook included: %.2f s%n", seconds, pushSeconds);
    assertThat(pushOutput).contains("fetching now for demo");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
      StagingReleaseStatus s = store.read("demo").orElseThrow();
      return s.getPhase() == Phase.Healthy && v3.equals(s.getCurrent().getCommit());
    });

    String payload = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"file://" + bare + "/\"}}";
    String sig = HookSignature.hmacHex(payload.getBytes(StandardCharsets.UTF_8), secret);
    assertThat(hook(payload, Map.of()))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(401))
        .satisfies(r -> assertThat(r.body()).contains("unsigned delivery"));
    assertThat(hook(payload, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + "0".repeat(64))))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(401))
        .satisfies(r -> assertThat(r.body()).contains("does not match"));
    assertThat(hook(payload + " ", Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sig)).statusCode())
        .as("a body changed after signing").isEqualTo(401);
    assertThat(hook(payload, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess")).statusCode())
        .isEqualTo(401);
    assertThat(hook(payload, Map.of("X-Gitea-Event", "push", "X-Gitea-Signature", sig)).body())
        .contains("fetching now for demo");
    String gitlab = "{\"ref\":\"refs/heads/main\",\"project\":{\"git_http_url\":\"" + bare + "/\"}}";
    assertThat(hook(gitlab, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret)).body())
        .contains("fetching now for demo");
    String other = "{\"repository\":{\"clone_url\":\"https://example.com/someone/else.git\"}}";
    assertThat(hook(other, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256",
        "sha256=" + HookSignature.hmacHex(other.getBytes(StandardCharsets.UTF_8), secret))))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(202))
        .satisfies(r -> assertThat(r.body()).contains("no release's spec.source.url names"));
    String huge = "{\"pad\":\"" + "x".repeat(2 << 20) + "\"}";
    assertThat(hook(huge, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sig)).statusCode())
        .isEqualTo(413);
    // What the refusals never did: deploy anything else.
    assertThat(store.read("demo").orElseThrow().getCurrent().getCommit()).isEqualTo(v3);
  }

  private HttpResponse<String> hook(String body, Map<String, String> headers) throws Exception {
    return HookedRepo.deliver(apiPort, body, headers);
  }
}
