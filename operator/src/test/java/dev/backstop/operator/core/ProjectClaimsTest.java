package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.core.ProjectClaims.Claim;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectClaimsTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void theOlderClaimKeepsTheProjectAndTheOtherIsToldWho() {
    Map<String, Observation.Problem> denied = ProjectClaims.denied(List.of(
        new Claim("ns/b", null, "shop", false, T0.plusSeconds(5)),
        new Claim("ns/a", null, "shop", false, T0)));
    assertThat(denied).containsOnlyKeys("ns/b");
    assertThat(denied.get("ns/b").reason()).isEqualTo(Reason.DuplicateProject);
    assertThat(denied.get("ns/b").message()).contains("'shop'", "belongs to release ns/a");
  }

  @Test
  void aDeployedReleaseNeverLosesItsStackToAnOlderNewcomer() {
    // After a restart local mode cannot tell ages apart: the running stack must still win.
    assertThat(ProjectClaims.denied(List.of(
        new Claim("default/aaa", null, "shop", false, T0),
        new Claim("default/zzz", null, "shop", true, T0.plusSeconds(60)))))
        .containsOnlyKeys("default/aaa");
  }

  @Test
  void theDefaultHostIsOneHostAndOtherHostsAreOthers() {
    assertThat(ProjectClaims.denied(List.of(
        new Claim("x/a", null, "shop", false, T0),
        new Claim("x/b", "unix:///var/run/docker.sock", "shop", false, T0.plusSeconds(1)),
        new Claim("x/c", "ssh://deploy@other", "shop", false, T0.plusSeconds(2)))))
        .containsOnlyKeys("x/b");
  }

  @Test
  void tiesGoToTheSmallerKeyAndDistinctProjectsNeverClash() {
    assertThat(ProjectClaims.denied(List.of(
        new Claim("ns2/a", null, "shop", false, null),
        new Claim("ns1/a", null, "shop", false, null),
        new Claim("ns1/c", null, "blog", false, null))))
        .containsOnlyKeys("ns2/a");
  }
}
