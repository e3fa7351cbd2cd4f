package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Action;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an emergency rollback spends its time on: no fetch, however overdue (the remote may be
 * gone), and no compose run it can do without.
 */
class EmergencyRollbackPathTest {

  private static final String EMERGENCY = StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION;

  @TempDir Path tmp;
  private final FakeWorld world = new FakeWorld();
  private final DockerHosts hosts = new DockerHosts();
  private final List<Boolean> fetches = new CopyOnWriteArrayList<>();
  private StagingReleaseSpec spec;
  private ComposeActuator actuator;
  private ReleaseInput release;
  private ReleaseSettings settings;

  @BeforeEach
  void setUp() {
    spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("https://git.example/app.git");
    source.setRef("v1");
    spec.setSource(source);
    spec.setCompose(new ComposeSpec());
    release = new ReleaseInput("default/demo", "demo", spec, 1, Map.of(), tmp, Access.NONE);
    settings = TestSettings.of("demo", spec);
    actuator = new ComposeActuator(hosts, world, world, new DockerDatabaseBackups(hosts), new ServiceCatalog(world));
  }

  @AfterEach
  void tearDown() {
    hosts.close();
  }

  private static Revision commit(String ref) {
    Revision r = new Revision();
    r.setCommit(FakeWorld.commit(ref));
    return r;
  }

  @Test
  void anUnhandledEmergencySkipsTheDueFetchAndAHandledOneDoesNot() {
    SourceRepository git = world.recordingFetches(fetches);
    StagingReleaseStatus previous = new StagingReleaseStatus();
    previous.setObservedGeneration(1L);
    // Long overdue: any reconcile without an emergency would fetch.
    previous.setLastFetchTime(Instant.EPOCH.toString());
    Map<String, String> requested = Map.of(EMERGENCY, "|2026-12-02T01:00:00Z");

    try (HealthMonitor health = new HealthMonitor(null, Clock.systemUTC())) {
      DockerObserver observer = new DockerObserver(hosts, git, world, health, new ServiceCatalog(world),
          Clock.systemUTC());
      observer.observe(release, settings, previous);
      observer.observe(withRequests(requested), settings, previous);
      previous.getHandledRequests().put(EMERGENCY, "|2026-12-02T01:00:00Z");
      observer.observe(withRequests(requested), settings, previous);
    }

    assertThat(fetches).containsExactly(true, false, true);
  }

  @Test
  void anUnhandledEmergencyRendersNothingToJudgeDriftAndAHandledOneDoes() throws Exception {
    StagingReleaseStatus previous = new StagingReleaseStatus();
    previous.setObservedGeneration(1L);
    previous.setLastFetchTime(Instant.now().toString());
    previous.setCurrent(commit("v2"));
    previous.getCurrent().setTime("2026-12-02T01:00:00Z");
    java.nio.file.Files.createDirectories(ComposeActuator.composeDir(tmp, FakeWorld.commit("v2"), settings));
    Map<String, String> requested = Map.of(EMERGENCY, "|2026-12-02T01:00:00Z");

    try (HealthMonitor health = new HealthMonitor(null, Clock.systemUTC())) {
      // A catalog each, so that what one rendered is not what the next one reuses.
      new DockerObserver(hosts, world, world, health, new ServiceCatalog(world), Clock.systemUTC())
          .observe(withRequests(requested), settings, previous);
      assertThat(world.renders).as("the emergency is acted on whatever drifted").isEmpty();
      previous.getHandledRequests().put(EMERGENCY, "|2026-12-02T01:00:00Z");
      new DockerObserver(hosts, world, world, health, new ServiceCatalog(world), Clock.systemUTC())
          .observe(withRequests(requested), settings, previous);
    }

    assertThat(world.renders).as("the handled one's reconcile judges drift again").isNotEmpty();
  }

  private ReleaseInput withRequests(Map<String, String> requests) {
    return new ReleaseInput("default/demo", "demo", spec, 1, requests, tmp, Access.NONE);
  }

  @Test
  void anEmergencyDownGivesOneSecondOfGraceAndATeardownEachServicesOwn() throws Exception {
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));
    actuator.down(release, settings, null);

    assertThat(world.downs).containsExactly("demo --timeout 1", "demo");
    assertThat(ComposeActuator.EMERGENCY_STOP_GRACE).hasSeconds(1);
  }

  @Test
  void aCommitAppliedBeforeIsNotListedAgain() {
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v1"), false));
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v2"), false));
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));

    assertThat(world.serviceListings).hasSize(2);
    assertThat(world.ups).hasSize(3);
  }

  @Test
  void aDeployOrRollbackPullsOnlyAnImageTheHostLacks() {
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v1"), false));
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));
    world.absentImages.add("fake:1");
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v2"), false));

    assertThat(world.pulls).as("only the rollback and the deploy that met no image")
        .containsExactly("missing [web]", "missing [web]");
  }

  @Test
  void pullPolicyAlwaysPullsOnEveryDeployButNotOnARollback() {
    spec.getCompose().setPullPolicy("always");
    settings = TestSettings.of("demo", spec);
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v1"), false));
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));

    assertThat(world.pulls).containsExactly("always [web]");
  }
}
