package dev.backstop.operator.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.Revision;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.Action;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.TestSettings;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.FakeWorld;
import dev.backstop.operator.engine.ReleaseInput;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an emergency rollback spends its time on: no compose run it can do without. */
class ComposeActuatorEmergencyTest {

  @TempDir Path tmp;
  private final FakeWorld world = new FakeWorld();
  private final DockerHosts hosts = new DockerHosts();
  private ComposeActuator actuator;
  private ReleaseInput release;
  private ReleaseSettings settings;

  @BeforeEach
  void setUp() {
    StagingReleaseSpec spec = new StagingReleaseSpec();
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
  void aRollbackPullsOnlyAnImageTheHostLacks() {
    actuator.apply(release, settings, new Action.Apply(ActionKind.Deploy, commit("v1"), false));
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));
    world.absentImages.add("fake:1");
    actuator.apply(release, settings, new Action.Apply(ActionKind.EmergencyRollback, commit("v1"), true));

    assertThat(world.pulls).as("the deploy, then only the rollback that met no image")
        .containsExactly("missing [web]", "missing [web]");
  }
}
