package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  /**
   * What Docker and Compose print, word for word as users have reported them (moby, docker/compose
   * and docker/for-* issues; the network and port messages come from libnetwork), with the fault
   * each must be classed as; null = the commit's own failure. fetchesImages is true for pull and build.
   */
  static Stream<Arguments> realMessages() {
    return Stream.of(
        // Port held by a process outside the project, three engine generations.
        Arguments.of("Error response from daemon: failed to set up container networking: driver failed programming"
            + " external connectivity on endpoint mre-gateway-1 (5493922010cb): Bind for 0.0.0.0:8080 failed: port is"
            + " already allocated", false, EngineFault.PORT_CONFLICT),
        Arguments.of("Error response from daemon: driver failed programming external connectivity on endpoint"
            + " mariadb_container (abc): Error starting userland proxy: listen tcp4 0.0.0.0:3306: bind: address"
            + " already in use", false, EngineFault.PORT_CONFLICT),
        Arguments.of("Error response from daemon: Ports are not available: exposing port TCP 0.0.0.0:5000 ->"
            + " 0.0.0.0:0: listen tcp 0.0.0.0:5000: bind: address already in use", false, EngineFault.PORT_CONFLICT),
        Arguments.of("ERROR: for nginx  driver failed programming external connectivity on endpoint phpapp_nginx_1"
            + " (c3fa): Error starting userland proxy: Failed to bind: EADDRINUSE", false, EngineFault.PORT_CONFLICT),
        // Disk full while pulling, building or creating.
        Arguments.of("failed to register layer: Error processing tar file(exit status 1): write"
            + " /usr/lib/x86_64-linux-gnu/libLLVM.so.1: no space left on device", true, EngineFault.DISK_FULL),
        Arguments.of("Error response from daemon: mkdir /var/lib/docker/overlay2/0f3a-init: no space left on device",
            false, EngineFault.DISK_FULL),
        // Registry unreachable for a pull.
        Arguments.of("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup"
            + " registry-1.docker.io on 192.168.65.1:53: no such host", true, EngineFault.REGISTRY),
        Arguments.of("Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup"
            + " registry-1.docker.io on 192.168.65.1:53: server misbehaving", true, EngineFault.REGISTRY),
        Arguments.of("Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup"
            + " registry-1.docker.io on [::1]:53: read udp [::1]:35914->[::1]:53: read: connection refused", true,
            EngineFault.REGISTRY),
        Arguments.of("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request"
            + " canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", true,
            EngineFault.REGISTRY),
        Arguments.of("Error response from daemon: Get \"https://registry.example/v2/\": context deadline exceeded",
            true, EngineFault.REGISTRY),
        Arguments.of("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: TLS handshake"
            + " timeout", true, EngineFault.REGISTRY),
        Arguments.of("toomanyrequests: You have reached your pull rate limit.", true, EngineFault.REGISTRY),
        // The engine itself.
        Arguments.of("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon"
            + " running?", false, EngineFault.UNREACHABLE),
        Arguments.of("error during connect: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.45/containers/json\": EOF",
            false, EngineFault.UNREACHABLE),
        Arguments.of("Error response from daemon: the docker daemon is restarting", false, EngineFault.UNREACHABLE),
        // The commit's own: these must keep quarantining.
        Arguments.of("Error response from daemon: pull access denied for nosuchimage, repository does not exist or"
            + " may require 'docker login': denied: requested access to the resource is denied", true, null),
        Arguments.of("Error response from daemon: manifest for busybox:9.9 not found: manifest unknown: manifest"
            + " unknown", true, null),
        Arguments.of("service \"web\" has neither an image nor a build context specified: invalid compose project",
            false, null),
        Arguments.of("dependency failed to start: container p-web-1 is unhealthy", false, null),
        Arguments.of("failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2", true,
            null));
  }

  @ParameterizedTest
  @MethodSource("realMessages")
  void classifiesWhatDockerAndComposeReallyPrint(String output, boolean fetchesImages, EngineFault expected) {
    assertThat(EngineFault.in(output, fetchesImages)).as(output).isEqualTo(expected);
  }
}
