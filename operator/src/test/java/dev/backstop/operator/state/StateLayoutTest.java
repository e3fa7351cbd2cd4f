package dev.backstop.operator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The paths are the on-disk format of existing state; these are the literals the code used before. */
class StateLayoutTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void localModeKeepsEachReleaseUnderReleases() {
    StateLayout layout = StateLayout.local(Path.of("/var/lib/backstop"));
    StateLayout.ReleaseDir shop = layout.release("shop");

    assertThat(layout.root()).isEqualTo(Path.of("/var/lib/backstop"));
    assertThat(layout.releasesDir()).isEqualTo(Path.of("/var/lib/backstop/releases"));
    assertThat(layout.gitCache()).isEqualTo(Path.of("/var/lib/backstop/git-cache"));
    assertThat(layout.daemonInfo()).isEqualTo(Path.of("/var/lib/backstop/daemon.json"));
    assertThat(layout.problems()).isEqualTo(Path.of("/var/lib/backstop/problems.json"));
    assertThat(shop.path()).isEqualTo(Path.of("/var/lib/backstop/releases/shop"));
    assertThat(shop.checkouts()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/checkouts"));
    assertThat(shop.checkout(SHA)).isEqualTo(Path.of("/var/lib/backstop/releases/shop/checkouts/" + SHA));
    assertThat(shop.status()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/status.json"));
    assertThat(shop.requests()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/requests.json"));
    assertThat(shop.generation()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/generation.json"));
    assertThat(shop.backups()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/backups"));
    assertThat(shop.dockerTls()).isEqualTo(Path.of("/var/lib/backstop/releases/shop/docker-tls"));
    assertThat(shop.imagesOverride(SHA))
        .isEqualTo(Path.of("/var/lib/backstop/releases/shop/images/" + SHA + ".override.yml"));
  }

  @Test
  void clusterModeKeepsEachReleaseUnderItsNamespace() {
    StateLayout layout = StateLayout.cluster(Path.of("/state"));
    StateLayout.ReleaseDir shop = layout.release("team-a", "shop");

    assertThat(layout.gitCache()).isEqualTo(Path.of("/state/git-cache"));
    assertThat(shop.path()).isEqualTo(Path.of("/state/team-a/shop"));
    assertThat(shop.checkout(SHA)).isEqualTo(Path.of("/state/team-a/shop/checkouts/" + SHA));
    assertThat(shop.backups()).isEqualTo(Path.of("/state/team-a/shop/backups"));
    assertThat(shop.dockerTls()).isEqualTo(Path.of("/state/team-a/shop/docker-tls"));
    assertThat(shop.imagesOverride(SHA)).isEqualTo(Path.of("/state/team-a/shop/images/" + SHA + ".override.yml"));
  }

  @Test
  void aModeDoesNotHandOutTheOtherModesPaths() {
    assertThatThrownBy(() -> StateLayout.local(Path.of("/s")).release("ns", "shop"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> StateLayout.cluster(Path.of("/s")).release("shop"))
        .isInstanceOf(IllegalStateException.class);
  }
}
