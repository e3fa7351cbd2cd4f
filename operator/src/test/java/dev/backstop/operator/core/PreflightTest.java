package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupPreset;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.core.Preflight.Result;
import dev.backstop.operator.core.Preflight.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightTest {

  private static final long GIB = 1L << 30;

  @Test
  void everythingInPlacePassesAndSaysWhatWasFound() {
    List<Result> rows = Preflight.evaluate(facts(
        List.of(new Preflight.Engine("local", "26.1.5", "1.45", null)),
        List.of(new Preflight.Compose("local", "2.26.1", null)),
        List.of(new Preflight.Disk("state directory", "/var/lib/backstop", 50 * GIB, 100 * GIB, 0, null)),
        List.of(new Preflight.Port("shop", "web", 18080, "container shop-web-1", true, null)),
        List.of(new Preflight.Networks("local", 4, 31, false, 1, null))));
    assertThat(rows).extracting(Result::status).containsOnly(Status.PASS);
    assertThat(Preflight.allPass(rows)).isTrue();
    assertThat(rows).extracting(Result::detail).contains(
        "Docker Engine 26.1.5 (API 1.45)", "Compose 2.26.1", "held by the release's own container shop-web-1");
  }

  @Test
  void anUnreachableEngineOrComposeV1FailsWithWhatToDo() {
    List<Result> rows = Preflight.evaluate(facts(
        List.of(new Preflight.Engine("tcp://10.0.0.5:2376", null, null, "cannot reach the Docker engine at tcp://10.0.0.5:2376: refused")),
        List.of(new Preflight.Compose("local", "1.29.2", null), new Preflight.Compose("ssh://a@b", null, "docker: 'compose' is not a docker command")),
        List.of(), List.of(), List.of()));
    assertThat(rows).extracting(Result::status).containsOnly(Status.FAIL);
    assertThat(rows.get(0).name()).isEqualTo("engine tcp://10.0.0.5:2376");
    assertThat(rows.get(0).detail()).contains("refused", "start dockerd");
    assertThat(rows.get(1).detail()).contains("1.29.2 is not Compose v2");
    assertThat(rows.get(2).detail()).contains("install Compose v2");
    assertThat(Preflight.allPass(rows)).isFalse();
  }

  @Test
  void anOldEngineApiOnlyWarns() {
    Result row = Preflight.engine(new Preflight.Engine("local", "19.03.1", "1.40", null));
    assertThat(row.status()).isEqualTo(Status.WARN);
    assertThat(Preflight.compareVersions("1.9", "1.41")).isNegative();
    assertThat(Preflight.compareVersions("1.45", "1.41")).isPositive();
  }

  @Test
  void diskIsJudgedAgainstAFloorTheLargestBackupAndItsShare() {
    assertThat(Preflight.disk(new Preflight.Disk("state directory", "/s", GIB / 2, 100 * GIB, 0, null)).status())
        .isEqualTo(Status.FAIL);
    Result backups = Preflight.disk(new Preflight.Disk("backups of shop", "/b", 3 * GIB, 100 * GIB, 2 * GIB, null));
    assertThat(backups.status()).isEqualTo(Status.FAIL);
    assertThat(backups.detail()).contains("twice the largest backup (2.0 GiB)", "retention");
    assertThat(Preflight.disk(new Preflight.Disk("state directory", "/s", 2 * GIB, 100 * GIB, 0, null)).status())
        .isEqualTo(Status.WARN);
    // A small disk that is mostly free is fine.
    assertThat(Preflight.disk(new Preflight.Disk("state directory", "/s", 2 * GIB, 3 * GIB, 0, null)).status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void aPortHeldOutsideTheProjectFails() {
    Result row = Preflight.port(new Preflight.Port("shop", "web", 8080, "container other-web-1", false, null));
    assertThat(row.status()).isEqualTo(Status.FAIL);
    assertThat(row.name()).isEqualTo("port shop:8080");
    assertThat(row.detail()).contains("held by container other-web-1", "change the port");
    assertThat(Preflight.port(new Preflight.Port("shop", "web", 8080, null, false, null)).status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void addressPoolsFailWhenTheReleasesNeedMoreThanIsLeftAndWarnWhenFewRemain() {
    Result full = Preflight.networks(new Preflight.Networks("local", 30, 31, false, 2, null));
    assertThat(full.status()).isEqualTo(Status.FAIL);
    assertThat(full.detail()).contains("about 31", "need 2 more", "default-address-pools");
    assertThat(Preflight.networks(new Preflight.Networks("local", 28, 31, false, 1, null)).status())
        .isEqualTo(Status.WARN);
    assertThat(Preflight.networks(new Preflight.Networks("local", 27, 257, true, 1, null)).status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void backupToolsComeFromThePresetOrTheCommandsFirstProgram() {
    BackupSpec pg = new BackupSpec();
    pg.setService("db");
    pg.setPreset(BackupPreset.postgres);
    pg.setDatabase("shop");
    pg.setUser("shop");
    assertThat(Preflight.backupTools(settings(pg).backup())).containsExactly("pg_dump", "pg_restore", "psql");
    BackupSpec custom = new BackupSpec();
    custom.setService("db");
    custom.setCommand("MYSQL_PWD=x mysqldump shop");
    custom.setRestoreCommand("mysql shop");
    assertThat(Preflight.backupTools(settings(custom).backup())).containsExactly("mysqldump", "mysql");
    assertThat(Preflight.backupTools(null)).isEmpty();
  }

  @Test
  void missingBackupToolsFailAndAnImageNotThereYetWarns() {
    Result missing = Preflight.tools(new Preflight.BackupTools("shop", "db", "busybox:1.36",
        List.of("pg_dump", "psql"), List.of("pg_dump", "psql"), null));
    assertThat(missing.status()).isEqualTo(Status.FAIL);
    assertThat(missing.detail()).startsWith("pg_dump, psql not found in busybox:1.36 (service db)");
    Result notPulled = Preflight.tools(new Preflight.BackupTools("shop", "db", "postgres:15",
        List.of("pg_dump"), null, "image postgres:15 is not on the engine yet"));
    assertThat(notPulled.status()).isEqualTo(Status.WARN);
  }

  @Test
  void gitAndManifestProblemsFailWithTheirMessages() {
    List<Result> rows = Preflight.evaluate(new Preflight.Facts(List.of(), List.of(),
        List.of(new Preflight.Source("shop", "https://git.example/shop.git", "v9", null,
            "ref 'v9' is no branch or tag of https://git.example/shop.git")),
        List.of(new Preflight.Model("shop", "v9", 0, "not checked: the repository cannot be read")),
        List.of(), List.of(), List.of(), List.of(), List.of("bad.yaml: spec.source.ref is required")));
    assertThat(rows).extracting(Result::name).containsExactly("manifest", "git shop", "compose files shop");
    assertThat(rows).extracting(Result::status).containsOnly(Status.FAIL);
  }

  private static ReleaseSettings settings(BackupSpec backup) {
    var spec = new dev.backstop.operator.api.v1alpha1.StagingReleaseSpec();
    var source = new dev.backstop.operator.api.v1alpha1.SourceSpec();
    source.setUrl("https://git.example/shop.git");
    source.setRef("main");
    spec.setSource(source);
    spec.setBackup(backup);
    return TestSettings.of("shop", spec);
  }

  private static Preflight.Facts facts(List<Preflight.Engine> engines, List<Preflight.Compose> composes,
      List<Preflight.Disk> disks, List<Preflight.Port> ports, List<Preflight.Networks> networks) {
    return new Preflight.Facts(engines, composes, new ArrayList<>(), List.of(), List.of(), disks, ports, networks,
        List.of());
  }
}
