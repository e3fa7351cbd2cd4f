package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The engine's own words, as the docker and compose CLIs print them, map to an engine fault. */
class EngineFaultTest {

  @Test
  void recognisesEachFaultInTheCliOutput() {
    assertThat(EngineFault.in("Error response from daemon: could not find an available, non-overlapping IPv4 address"
        + " pool among the defaults to assign to the network", false)).isEqualTo(EngineFault.ADDRESS_POOLS);
    assertThat(EngineFault.in("failed to register layer: write /var/lib/docker/x: no space left on device", false))
        .isEqualTo(EngineFault.DISK_FULL);
    assertThat(EngineFault.in("Error response from daemon: driver failed programming external connectivity on"
        + " endpoint p-web-1: Bind for 0.0.0.0:8080 failed: port is already allocated", false))
        .isEqualTo(EngineFault.PORT_CONFLICT);
    assertThat(EngineFault.in("listen tcp4 0.0.0.0:8080: bind: address already in use", false))
        .isEqualTo(EngineFault.PORT_CONFLICT);
    assertThat(EngineFault.in("Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon"
        + " running?", false)).isEqualTo(EngineFault.UNREACHABLE);
    assertThat(EngineFault.in("Get \"https://registry.example/v2/\": dial tcp: lookup registry.example: no such"
        + " host", true)).isEqualTo(EngineFault.REGISTRY);
  }

  @Test
  void aRefusedConnectionIsTheRegistrysOnlyWhereImagesAreFetched() {
    String refused = "dial tcp 127.0.0.1:1: connect: connection refused";
    assertThat(EngineFault.in(refused, true)).isEqualTo(EngineFault.REGISTRY);
    assertThat(EngineFault.in(refused, false)).isNull();
  }

  @Test
  void theCommitsOwnErrorsAreNoEngineFault() {
    assertThat(EngineFault.in("service \"web\" refers to undefined volume data: invalid compose project", false))
        .isNull();
    assertThat(EngineFault.in("dockerfile parse error on line 1: unknown instruction: FORM", true)).isNull();
    assertThat(EngineFault.in("pull access denied for nosuchimage, repository does not exist", true)).isNull();
    assertThat(EngineFault.in(null, true)).isNull();
  }

  @Test
  void theAddressPoolFaultCarriesTheDaemonJsonHint() {
    assertThat(EngineFault.ADDRESS_POOLS.hint()).contains("default-address-pools", "/etc/docker/daemon.json");
  }
}
