package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestGuardTest {

  @TempDir Path state;

  private static RequestGuard bound(String address) throws Exception {
    return new RequestGuard(InetAddress.getByName(address), 8080);
  }

  private static Integer host(RequestGuard g, String host) {
    return g.checkHost(host).map(RequestGuard.Refusal::status).orElse(200);
  }

  @Test
  void loopbackAnswersItsOwnAddressesOnItsPortOnly() throws Exception {
    RequestGuard g = bound("127.0.0.1");
    assertThat(host(g, "127.0.0.1:8080")).isEqualTo(200);
    assertThat(host(g, "localhost:8080")).isEqualTo(200);
    assertThat(host(g, "LOCALHOST:8080")).isEqualTo(200);
    assertThat(host(g, "[::1]:8080")).isEqualTo(200);
    // DNS rebinding: a name that the attacker's DNS points at 127.0.0.1.
    assertThat(host(g, "evil.example:8080")).isEqualTo(421);
    assertThat(host(g, "127.0.0.1.nip.io:8080")).isEqualTo(421);
    assertThat(host(g, "127.0.0.1:8081")).isEqualTo(421);
    assertThat(host(g, "127.0.0.1")).isEqualTo(421);
    assertThat(host(g, "10.0.0.5:8080")).isEqualTo(421);
    assertThat(host(g, "127.0.0.1:http")).isEqualTo(421);
    assertThat(host(g, null)).isEqualTo(400);
  }

  @Test
  void wildcardAnswersAnyAddressLiteralButNoName() throws Exception {
    RequestGuard g = bound("0.0.0.0");
    assertThat(host(g, "10.0.0.5:8080")).isEqualTo(200);
    assertThat(host(g, "localhost:8080")).isEqualTo(200);
    assertThat(host(g, "staging.example:8080")).isEqualTo(421);
    assertThat(g.checkHost("evil.example:8080").orElseThrow().message()).contains("http://127.0.0.1:8080/");
  }

  @Test
  void aSpecificAddressAnswersOnlyToItself() throws Exception {
    RequestGuard g = bound("192.168.7.2");
    assertThat(host(g, "192.168.7.2:8080")).isEqualTo(200);
    assertThat(host(g, "localhost:8080")).isEqualTo(421);
    assertThat(host(g, "127.0.0.1:8080")).isEqualTo(421);
  }

  @Test
  void originMustBeThePageItself() throws Exception {
    RequestGuard g = bound("127.0.0.1");
    assertThat(g.checkOrigin(null, "127.0.0.1:8080")).isEmpty();
    assertThat(g.checkOrigin("http://127.0.0.1:8080", "127.0.0.1:8080")).isEmpty();
    assertThat(g.checkOrigin("https://evil.example", "127.0.0.1:8080").orElseThrow().status()).isEqualTo(403);
    assertThat(g.checkOrigin("null", "127.0.0.1:8080").orElseThrow().status()).isEqualTo(403);
  }

  @Test
  void tokenIsRequiredAndMustMatch() throws Exception {
    ApiToken token = ApiToken.loadOrCreate(state);
    String value = ApiToken.read(state).orElseThrow();
    assertThat(RequestGuard.checkToken(token, null, null).orElseThrow().status()).isEqualTo(401);
    assertThat(RequestGuard.checkToken(token, "", null).orElseThrow().status()).isEqualTo(401);
    assertThat(RequestGuard.checkToken(token, "wrong", null).orElseThrow().status()).isEqualTo(403);
    assertThat(RequestGuard.checkToken(token, value, null)).isEmpty();
    assertThat(RequestGuard.checkToken(token, null, "Bearer " + value)).isEmpty();
    assertThat(RequestGuard.checkToken(token, null, "Basic " + value).orElseThrow().status()).isEqualTo(401);
  }

  @Test
  void onlyJsonBodies() {
    assertThat(RequestGuard.checkJson("application/json")).isEmpty();
    assertThat(RequestGuard.checkJson("application/json; charset=utf-8")).isEmpty();
    assertThat(RequestGuard.checkJson("text/plain").orElseThrow().status()).isEqualTo(415);
    assertThat(RequestGuard.checkJson("application/x-www-form-urlencoded").orElseThrow().status()).isEqualTo(415);
    assertThat(RequestGuard.checkJson(null).orElseThrow().status()).isEqualTo(415);
  }

  @Test
  void tokenFileIsOwnerOnlyAndStableAcrossStarts() throws Exception {
    ApiToken.loadOrCreate(state);
    String first = ApiToken.read(state).orElseThrow();
    assertThat(first).hasSizeGreaterThanOrEqualTo(40);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(ApiToken.FILE))))
        .isEqualTo("rw-------");
    ApiToken again = ApiToken.loadOrCreate(state);
    assertThat(ApiToken.read(state)).contains(first);
    assertThat(again.matches(first)).isTrue();
  }

  @Test
  void aWideTokenFileIsNarrowedAtStart() throws Exception {
    Files.writeString(state.resolve(ApiToken.FILE), "hand-made-token\n");
    Files.setPosixFilePermissions(state.resolve(ApiToken.FILE), PosixFilePermissions.fromString("rw-r--r--"));
    ApiToken token = ApiToken.loadOrCreate(state);
    assertThat(token.matches("hand-made-token")).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(ApiToken.FILE))))
        .isEqualTo("rw-------");
  }
}
