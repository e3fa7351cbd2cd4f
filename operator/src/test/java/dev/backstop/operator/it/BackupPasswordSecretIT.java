package dev.backstop.operator.it;

import dev.backstop.operator.it.BackupExamplesIT.Example;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * spec.backup.passwordSecretRef for the postgres and redis presets (the README's example is
 * MariaDB's), against servers that refuse a connection without the password: PostgreSQL with
 * scram-sha-256 on the unix socket too, Redis with requirepass. The story of
 * {@link BackupExamplesIT#story}: blocked until the Secret exists; dump, drill and rollback restore
 * with the Secret's password; a wrong one refused by the database in its own words; the password
 * in no status, event, report or state file.
 */
class BackupPasswordSecretIT {

  static List<Example> examples() {
    return List.of(
        new Example("passwordSecretRef example", 1, DbFlavor.POSTGRES, "shop", "shop_owner", """
            backup:
              service: postgres
              preset: postgres
              database: shop
              user: shop_owner
              passwordSecretRef:
                name: shop-db-password
              restoreOnRollback: true
              drill: afterBackup
            """),
        new Example("passwordSecretRef example", 2, DbFlavor.REDIS, null, null, """
            backup:
              service: redis
              preset: redis
              passwordSecretRef:
                name: cache-password
              restoreOnRollback: true
              drill: afterBackup
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void backupsDrillsAndRestoresUseTheSecretsPasswordAndNothingShowsIt(Example example, @TempDir Path tmp)
      throws Exception {
    BackupExamplesIT.story(example, tmp);
  }
}
