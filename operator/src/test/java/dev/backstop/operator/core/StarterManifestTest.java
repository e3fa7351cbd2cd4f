package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.core.ServiceOutline.Published;
import java.util.List;
import org.junit.jupiter.api.Test;

class StarterManifestTest {

  @Test
  void anHttpHealthcheckBecomesAnHttpCheckOnItsPublishedPort() {
    ServiceOutline web = new ServiceOutline("web", "busybox:1.36", false,
        List.of(new Published("127.0.0.1", 18080, 8080, "tcp")),
        List.of("CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"));
    ServiceOutline api = new ServiceOutline("api", null, true,
        List.of(new Published("", 9000, 9000, "tcp"), new Published("", 9443, 80, "tcp")),
        List.of("CMD-SHELL", "curl -fsS http://localhost/ready || exit 1"));
    assertThat(StarterManifest.httpProbes(List.of(web, api))).containsExactly(
        new StarterManifest.HttpProbe("web-http", "web", "http://127.0.0.1:18080/health"),
        new StarterManifest.HttpProbe("api-http", "api", "http://127.0.0.1:9443/ready"));
  }

  @Test
  void healthchecksThatAreNotHttpOrPortsNotPublishedGiveNoHttpCheck() {
    ServiceOutline db = new ServiceOutline("db", "postgres:15", false,
        List.of(new Published("", 5432, 5432, "tcp")), List.of("CMD", "pg_isready", "-U", "app"));
    ServiceOutline hidden = new ServiceOutline("worker", "app:1", false, List.of(),
        List.of("CMD", "curl", "-f", "http://localhost:8080/health"));
    ServiceOutline remote = new ServiceOutline("proxy", "app:1", false,
        List.of(new Published("", 8081, 8080, "tcp")), List.of("CMD", "curl", "-f", "http://example.com:8080/"));
    assertThat(StarterManifest.httpProbes(List.of(db, hidden, remote))).isEmpty();
    String yaml = StarterManifest.yaml("shop", "https://git.example/shop.git", "0123", ".", List.of(db));
    assertThat(yaml).contains("type: serviceHealth", "ref: \"0123\"").doesNotContain("type: http");
  }

  @Test
  void namesComeFromTheRepository() {
    assertThat(StarterManifest.nameFor("https://github.com/acme/Shop_Front.git")).isEqualTo("shop-front");
    assertThat(StarterManifest.nameFor("/srv/git/shop/")).isEqualTo("shop");
    assertThat(StarterManifest.nameFor("git@github.com:acme/api.git")).isEqualTo("api");
    assertThat(StarterManifest.nameFor("___")).isEqualTo("my-app");
  }
}
