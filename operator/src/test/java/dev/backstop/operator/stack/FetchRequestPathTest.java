package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.TestSettings;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.FakeWorld;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.git.SourceRepository;
import dev.backstop.operator.health.HealthMonitor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unhandled backstop.dev/fetch request fetches although pollInterval is not due; a handled one does not. */
class FetchRequestPathTest {

  private static final String FETCH = StagingRelease.FETCH_ANNOTATION;

  @TempDir Path tmp;
  private final FakeWorld world = new FakeWorld();
  private final DockerHosts hosts = new DockerHosts();
  private final List<Boolean> fetches = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    hosts.close();
  }

  @Test
  void anUnhandledFetchRequestFetchesBeforePollInterval() {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("https://git.example/app.git");
    source.setRef("v1");
    source.setPollInterval("10m");
    spec.setSource(source);
    spec.setCompose(new ComposeSpec());
    ReleaseSettings settings = TestSettings.of("demo", spec);
    SourceRepository git = world.recordingFetches(fetches);
    StagingReleaseStatus previous = new StagingReleaseStatus();
    previous.setObservedGeneration(1L);
    // Fetched a second ago: pollInterval alone would not fetch for ten minutes.
    previous.setLastFetchTime(Instant.now().minusSeconds(1).toString());

    try (HealthMonitor health = new HealthMonitor(null, Clock.systemUTC())) {
      DockerObserver observer = new DockerObserver(hosts, git, world, health, new ServiceCatalog(world),
          Clock.systemUTC());
      observer.observe(input(spec, Map.of()), settings, previous);
      observer.observe(input(spec, Map.of(FETCH, "2026-12-02T03:00:00Z d1")), settings, previous);
      previous.getHandledRequests().put(FETCH, "2026-12-02T03:00:00Z d1");
      observer.observe(input(spec, Map.of(FETCH, "2026-12-02T03:00:00Z d1")), settings, previous);
    }

    assertThat(fetches).containsExactly(false, true, false);
  }

  private ReleaseInput input(StagingReleaseSpec spec, Map<String, String> requests) {
    return new ReleaseInput("default/demo", "demo", spec, 1, requests, tmp, Access.NONE);
  }
}
