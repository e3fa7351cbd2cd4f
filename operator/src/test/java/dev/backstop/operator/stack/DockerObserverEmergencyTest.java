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
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.SourceException;
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

/** An emergency rollback never waits for a fetch, however overdue: the remote may be gone. */
class DockerObserverEmergencyTest {

  private static final String EMERGENCY = StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION;

  @TempDir Path tmp;
  private final FakeWorld world = new FakeWorld();
  private final List<Boolean> fetches = new CopyOnWriteArrayList<>();
  private final DockerHosts hosts = new DockerHosts();
  private final HealthMonitor health = new HealthMonitor(null, Clock.systemUTC());
  private final SourceRepository git = new SourceRepository() {
    @Override
    public String resolve(String url, String ref, boolean fetch, GitCredentials credentials) throws SourceException {
      fetches.add(fetch);
      return world.resolve(url, ref, fetch, credentials);
    }

    @Override
    public Path checkout(String url, String commit, Path root, GitCredentials credentials) {
      return world.checkout(url, commit, root, credentials);
    }

    @Override
    public dev.backstop.operator.core.TagOutcome tag(String url, String commit, String name,
        GitCredentials credentials) {
      return world.tag(url, commit, name, credentials);
    }
  };
  private final DockerObserver observer =
      new DockerObserver(hosts, git, world, health, new ServiceCatalog(world), Clock.systemUTC());

  @AfterEach
  void tearDown() {
    health.close();
    hosts.close();
  }

  @Test
  void anUnhandledEmergencySkipsTheDueFetchAndAHandledOneDoesNot() {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("https://git.example/app.git");
    source.setRef("v1");
    spec.setSource(source);
    spec.setCompose(new ComposeSpec());
    ReleaseSettings settings = TestSettings.of("demo", spec);
    StagingReleaseStatus previous = new StagingReleaseStatus();
    previous.setObservedGeneration(1L);
    // Long overdue: any reconcile without an emergency would fetch.
    previous.setLastFetchTime(Instant.EPOCH.toString());
    Map<String, String> requested = Map.of(EMERGENCY, "|2026-12-02T01:00:00Z");

    observer.observe(input(spec, Map.of()), settings, previous);
    observer.observe(input(spec, requested), settings, previous);
    previous.getHandledRequests().put(EMERGENCY, "|2026-12-02T01:00:00Z");
    observer.observe(input(spec, requested), settings, previous);

    assertThat(fetches).containsExactly(true, false, true);
  }

  private ReleaseInput input(StagingReleaseSpec spec, Map<String, String> requests) {
    return new ReleaseInput("default/demo", "demo", spec, 1, requests, tmp, Access.NONE);
  }
}
