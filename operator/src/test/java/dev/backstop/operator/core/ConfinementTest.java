package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfinementTest {

  private static final Path CHECKOUT = Path.of("/state/checkouts/c1");

  private static ComposeModel model() {
    ComposeModel.Service web = new ComposeModel.Service("web", "app:1", "/state/checkouts/c1/app", "Dockerfile",
        false, null, null, null, null, List.of(), List.of(), null,
        List.of(new ComposeModel.Mount("bind", "/state/checkouts/c1/www", "/www"),
            new ComposeModel.Mount("volume", "data", "/data")),
        List.of("/state/checkouts/c1/web.env"));
    return new ComposeModel(List.of(web), List.of(
        new ComposeModel.HostFile("secrets.db.file", "/state/checkouts/c1/db.txt"),
        new ComposeModel.HostFile("configs.nginx.file", "/state/checkouts/c1/nginx.conf")));
  }

  @Test
  void namesEveryHostPathAndNoVolumeName() {
    assertThat(Confinement.references(model()))
        .extracting(r -> r.owner() + " " + r.field() + " " + r.path())
        .containsExactly(
            "service web build.context /state/checkouts/c1/app",
            "service web build.dockerfile /state/checkouts/c1/app/Dockerfile",
            "service web volumes (bind mount to /www) /state/checkouts/c1/www",
            "service web env_file /state/checkouts/c1/web.env",
            "top-level secrets.db.file /state/checkouts/c1/db.txt",
            "top-level configs.nginx.file /state/checkouts/c1/nginx.conf");
  }

  @Test
  void acceptsPathsThatStayInsideOnceResolved() {
    Map<Confinement.PathRef, Path> resolved = new LinkedHashMap<>();
    Confinement.references(model()).forEach(r -> resolved.put(r, Path.of(r.path())));
    assertThat(Confinement.refusal(resolved, CHECKOUT)).isEmpty();
  }

  @Test
  void refusesTheFirstPathOutsideNamingServiceAndField() {
    Map<Confinement.PathRef, Path> resolved = new LinkedHashMap<>();
    for (Confinement.PathRef r : Confinement.references(model())) {
      // www is a symlink to /etc in this commit.
      resolved.put(r, r.field().startsWith("volumes") ? Path.of("/etc") : Path.of(r.path()));
    }
    assertThat(Confinement.refusal(resolved, CHECKOUT)).hasValueSatisfying(m -> assertThat(m)
        .contains("service web: volumes (bind mount to /www) '/state/checkouts/c1/www' resolves to /etc"));
  }

  @Test
  void refusesASiblingWhoseNameOnlyStartsLikeTheCheckoutAndWhatCannotBeResolved() {
    Confinement.PathRef sibling = new Confinement.PathRef("service web", "build.context", "/state/checkouts/c10");
    assertThat(Confinement.refusal(Map.of(sibling, Path.of("/state/checkouts/c10")), CHECKOUT)).isPresent();
    Map<Confinement.PathRef, Path> unknown = new LinkedHashMap<>();
    unknown.put(new Confinement.PathRef("service web", "env_file", "${X}/a.env"), null);
    assertThat(Confinement.refusal(unknown, CHECKOUT)).hasValueSatisfying(m -> assertThat(m)
        .contains("service web: env_file '${X}/a.env' cannot be resolved"));
  }
}
