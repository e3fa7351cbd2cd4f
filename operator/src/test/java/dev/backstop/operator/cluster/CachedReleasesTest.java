package dev.backstop.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachedReleasesTest {

  @Test
  void namesAreANamespaceAndAResourceNameAndNothingThatCouldBeAPath() {
    assertThat(CachedReleases.isClusterName("default/demo")).isTrue();
    assertThat(CachedReleases.isClusterName("team-a/web.v2")).isTrue();
    assertThat(CachedReleases.isClusterName("demo")).isFalse();
    assertThat(CachedReleases.isClusterName("/demo")).isFalse();
    assertThat(CachedReleases.isClusterName("default/")).isFalse();
    assertThat(CachedReleases.isClusterName("default/demo/rollback")).isFalse();
    assertThat(CachedReleases.isClusterName("../etc/passwd")).isFalse();
    assertThat(CachedReleases.isClusterName("Default/demo")).isFalse();
    assertThat(CachedReleases.isClusterName("default/<script>")).isFalse();
  }
}
