package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupPreset;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.backup.preset: which fields each preset needs, and the commands it stands for. */
class BackupPresetSettingsTest {

  private final List<String> problems = new ArrayList<>();

  private static BackupSpec preset(BackupPreset preset, String database, String user) {
    BackupSpec spec = new BackupSpec();
    spec.setService("db");
    spec.setPreset(preset);
    spec.setDatabase(database);
    spec.setUser(user);
    spec.setRestoreOnRollback(true);
    return spec;
  }

  @Test
  void postgresPresetDumpsCustomFormatAndRecreatesTheDatabaseOnRestore() {
    BackupSettings s = BackupSettings.from(problems, preset(BackupPreset.postgres, "shop", "app"));
    assertThat(problems).isEmpty();
    assertThat(s.preset()).isEqualTo(BackupPreset.postgres);
    assertThat(s.command()).isEqualTo("PGPASSWORD=\"$POSTGRES_PASSWORD\" pg_dump -Fc -U app -d shop");
    assertThat(s.restoreCommand())
        .contains("DROP DATABASE IF EXISTS \"shop\" WITH (FORCE)", "CREATE DATABASE \"shop\"",
            "pg_restore --single-transaction --exit-on-error --no-owner -U app -d shop")
        .startsWith("export PGPASSWORD=\"$POSTGRES_PASSWORD\";");
  }

  @Test
  void mariadbPresetDumpsOneDatabaseWithRoutinesAndRecreatesItOnRestore() {
    BackupSpec spec = preset(BackupPreset.mariadb, "shop", "app");
    spec.setPasswordEnv("DB_PASS");
    BackupSettings s = BackupSettings.from(problems, spec);
    assertThat(problems).isEmpty();
    assertThat(s.command()).isEqualTo("MYSQL_PWD=\"$DB_PASS\" mariadb-dump -u app --single-transaction"
        + " --routines --triggers --databases shop");
    assertThat(s.restoreCommand()).contains("DROP DATABASE IF EXISTS `shop`; CREATE DATABASE `shop`")
        .endsWith("&& mariadb -u app");
  }

  @Test
  void redisPresetTakesAnRdbAndReloadsIt() {
    BackupSettings s = BackupSettings.from(problems, preset(BackupPreset.redis, null, null));
    assertThat(problems).isEmpty();
    assertThat(s.command()).endsWith("redis-cli --rdb -").contains("REDISCLI_AUTH=\"$REDIS_PASSWORD\"");
    assertThat(s.restoreCommand()).contains("DEBUG RELOAD NOSAVE", "BGREWRITEAOF");
  }

  /**
   * Run against a redis-cli that answers as it does for a wrong password (exit 0, WRONGPASS on
   * stderr, NOAUTH as the reply): restore and check stop at once with those words, before any
   * other command (the restore would otherwise write the dump to / from an empty `dir`).
   */
  @Test
  void redisRestoreAndCheckStopAtARefusedPasswordBeforeAnythingElse(@TempDir Path tmp) throws Exception {
    Path cli = tmp.resolve("redis-cli");
    Path calls = tmp.resolve("calls");
    Files.writeString(cli, "#!/bin/sh\necho \"$*\" >>'" + calls + "'\n"
        + "echo 'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.' >&2\n"
        + "echo 'NOAUTH Authentication required.'\n");
    assertThat(cli.toFile().setExecutable(true)).isTrue();
    BackupSpec spec = preset(BackupPreset.redis, null, null);
    spec.setPasswordSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("cache-pass"));
    BackupSettings s = BackupSettings.from(problems, spec);
    for (String command : List.of(s.restoreCommand(), s.verifyCommand())) {
      Files.deleteIfExists(calls);
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(tmp.toFile())
          .redirectErrorStream(true);
      builder.environment().put("PATH", tmp + ":" + System.getenv("PATH"));
      builder.environment().put(BackupSettings.PASSWORD_VARIABLE, "not-the-password");
      Process p = builder.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(p.waitFor()).as(out).isEqualTo(1);
      assertThat(out).isEqualTo("redis-cli PING: AUTH failed: WRONGPASS invalid username-password pair or user is"
          + " disabled.\nNOAUTH Authentication required.");
      assertThat(Files.readAllLines(calls)).as(command).containsExactly("PING");
    }
  }

  @Test
  void presetNeedsDatabaseAndUserAndRefusesItsOwnCommands() {
    BackupSpec spec = preset(BackupPreset.postgres, null, "bad name;rm");
    spec.setCommand("pg_dump");
    assertThat(BackupSettings.from(problems, spec)).isNotNull();
    assertThat(problems).containsExactly(
        "spec.backup.preset postgres sets the dump and restore commands itself: remove spec.backup.command"
            + " and spec.backup.restoreCommand, or remove the preset",
        "spec.backup.database is required with preset postgres: the database to dump",
        "spec.backup.user 'bad name;rm' must be a plain name (letters, digits, _ and -, not starting with a"
            + " digit or -, at most 63 characters)");
  }

  @Test
  void redisRefusesDatabaseAndUserAndABadPasswordEnv() {
    BackupSpec spec = preset(BackupPreset.redis, "0", "app");
    spec.setPasswordEnv("$(id)");
    BackupSettings.from(problems, spec);
    assertThat(problems).hasSize(3)
        .anyMatch(p -> p.startsWith("spec.backup.database does not apply to preset redis"))
        .anyMatch(p -> p.startsWith("spec.backup.user does not apply to preset redis"))
        .anyMatch(p -> p.startsWith("spec.backup.passwordEnv '$(id)' is not an environment variable name"));
  }

  @Test
  void withoutPresetCommandAndRestoreCommandAreStillRequired() {
    BackupSpec spec = new BackupSpec();
    spec.setService("db");
    spec.setRestoreOnRollback(true);
    BackupSettings.from(problems, spec);
    assertThat(problems).hasSize(2).allMatch(p -> p.startsWith("spec.backup.command is required")
        || p.startsWith("spec.backup.restoreCommand is required"));
  }

  @Test
  void passwordSecretRefMakesEveryPresetReadTheExecsOwnVariable() {
    for (BackupPreset p : BackupPreset.values()) {
      BackupSpec spec = p == BackupPreset.redis ? preset(p, null, null) : preset(p, "shop", "app");
      spec.setPasswordSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("db-pass"));
      BackupSettings s = BackupSettings.from(problems, spec);
      assertThat(problems).isEmpty();
      for (String command : List.of(s.command(), s.restoreCommand(), s.verifyCommand())) {
        assertThat(command).contains("\"$BACKSTOP_DB_PASSWORD\"").doesNotContain("POSTGRES_PASSWORD",
            "MARIADB_PASSWORD", "REDIS_PASSWORD");
      }
    }
  }

  @Test
  void passwordSecretRefExcludesPasswordEnvAndNeedsAName() {
    BackupSpec spec = preset(BackupPreset.postgres, "shop", "app");
    spec.setPasswordSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference(" "));
    spec.setPasswordEnv("DB_PASS");
    BackupSettings.from(problems, spec);
    assertThat(problems).anyMatch(m -> m.startsWith("spec.backup.passwordSecretRef and spec.backup.passwordEnv"))
        .anyMatch(m -> m.startsWith("spec.backup.passwordSecretRef.name is required"));
  }
}
