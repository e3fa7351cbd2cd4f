package dev.backstop.operator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.ExecOutcome;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.QueryOutcome;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.health.Probes;
import dev.backstop.operator.stack.LiveStack;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Releases of the same name in two namespaces are two releases, down to their background probes. */
class ReleaseEngineNamespaceTest {

  @TempDir Path tmp;

  // The app in namespace "good" answers 200, the one in "bad" 500: probes must not mix them up.
  private final Probes probes = new Probes() {
    @Override
    public HttpSample http(HttpCheck check, Instant at) {
      boolean ok = check.url().contains("good");
      return new HttpSample(at, ok ? 200 : 500, Duration.ofMillis(1), ok, false,
          "answered " + (ok ? 200 : 500));
    }

    @Override
    public ExecOutcome exec(DockerEndpoint host, String id, List<String> command, Duration timeout) {
      return new ExecOutcome(0, "", false);
    }

    @Override
    public QueryOutcome query(String url, String query, Duration timeout) {
      return new QueryOutcome(1.0, QueryOutcome.Kind.OK, "ok");
    }
  };
  private final HealthMonitor health = new HealthMonitor(probes, Clock.systemUTC());
  private final FakeWorld world = new FakeWorld();
  private final DockerHosts docker = new DockerHosts();
  private final ReleaseLoop loop = LiveStack.loop(docker, world, world, world, null, health, Clock.systemUTC());
  private final Map<String, StagingReleaseStatus> statuses = new ConcurrentHashMap<>();

  @AfterEach
  void tearDown() {
    health.close();
  }

  @Test
  void sameNameInTwoNamespacesKeepsItsOwnProbeResultsAndNews() {
    ConcurrentLinkedQueue<String> news = new ConcurrentLinkedQueue<>();
    health.onNews(news::add);
    StagingRelease good = release("good");
    StagingRelease bad = release("bad");
    // Reconciled in turn, as one operator watching both namespaces would.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      reconcile(good);
      reconcile(bad);
      return state("good") == CheckState.Passing && state("bad") == CheckState.Failing;
    });
    assertThat(check("good").getMessage()).contains("200");
    assertThat(check("bad").getMessage()).contains("500");
    assertThat(news).contains("bad/staging").doesNotContain("staging");
  }

  @Test
  void releasesWithoutNamespaceAreKeyedAsLocalModeLoadsThem() {
    StagingRelease local = release(null);
    assertThat(ReleaseInput.keyOf(local)).isEqualTo("default/staging");
    assertThat(ReleaseInput.keyOf(release("qa"))).isEqualTo("qa/staging");
  }

  private StagingRelease release(String namespace) {
    StagingRelease r = Serialization.unmarshal("""
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: staging
        spec:
          source:
            url: file:///nowhere
            ref: v1
          health:
            interval: 1s
            checks:
            - name: app
              type: http
              url: http://%s.example/health
              interval: 1s
              consecutiveFailures: 5
        """.formatted(namespace == null ? "local" : namespace), StagingRelease.class);
    r.getMetadata().setNamespace(namespace);
    return r;
  }

  private void reconcile(StagingRelease release) {
    String ns = release.getMetadata().getNamespace();
    try {
      loop.reconcile(ReleaseInput.of(release, 1, Map.of(), tmp.resolve(ns), Access.NONE), statuses.get(ns),
          new Recorder() {
      @Override
      public void record(StagingReleaseStatus status) {
        statuses.put(ns, status);
      }

      @Override
      public void event(ReleaseEvent event) {}
    });
    } catch (Recorder.RecordFailedException e) {
      throw new AssertionError(e);
    }
  }

  private CheckStatus check(String ns) {
    StagingReleaseStatus s = statuses.get(ns);
    return s == null || s.getChecks() == null ? null
        : s.getChecks().stream().filter(c -> c.getName().equals("app")).findFirst().orElse(null);
  }

  private CheckState state(String ns) {
    CheckStatus c = check(ns);
    return c == null ? null : c.getState();
  }
}
