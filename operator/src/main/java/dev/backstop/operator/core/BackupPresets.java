package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.BackupPreset;
import java.util.regex.Pattern;

/**
 * The dump and restore shell commands of each spec.backup.preset. Each pair is exact: after a
 * restore the database holds what the dump held and nothing else. The password is read from the
 * container's own environment inside the `sh -c`, so it never passes through Backstop; with
 * spec.backup.passwordSecretRef that variable is the exec's own BACKSTOP_DB_PASSWORD instead.
 */
final class BackupPresets {

  /** Database and user names go into shell words and SQL identifiers unquoted, so keep them plain. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");

  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** The dump command, its restore command, and the drill's integrity check. */
  record Commands(String dump, String restore, String verify) {}

  // A database with no tables restored from a non-empty dump means the restore did not take.
  private static final String NO_TABLES =
      "case \"$out\" in '0 tables'*) echo 'the restored database holds no tables' >&2; exit 1;; esac";

  private BackupPresets() {}

  static String defaultPasswordEnv(BackupPreset preset) {
    return switch (preset) {
      case postgres -> "POSTGRES_PASSWORD";
      case mariadb -> "MARIADB_PASSWORD";
      case redis -> "REDIS_PASSWORD";
    };
  }

  static boolean takesDatabase(BackupPreset preset) {
    return preset != BackupPreset.redis;
  }

  /** The commands for {@code preset}; database and user are null for redis. */
  static Commands commands(BackupPreset preset, String database, String user, String passwordEnv) {
    return switch (preset) {
      case postgres -> postgres(database, user, passwordEnv);
      case mariadb -> mariadb(database, user, passwordEnv);
      case redis -> redis(passwordEnv);
    };
  }

  // pg_restore --clean only drops what the dump holds, so tables a failed migration added would
  // stay: dropping and re-creating the database is what makes the restore exact. FORCE (PG 13+)
  // ends the app's sessions, which would otherwise block the drop.
  private static Commands postgres(String db, String user, String env) {
    String auth = "PGPASSWORD=\"$" + env + "\" ";
    String dump = auth + "pg_dump -Fc -U " + user + " -d " + db;
    String restore = "export " + auth.strip() + "; psql -q -v ON_ERROR_STOP=1 -U " + user + " -d postgres"
        + " -c 'DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)' -c 'CREATE DATABASE \"" + db + "\"'"
        + " && pg_restore --single-transaction --exit-on-error --no-owner -U " + user + " -d " + db;
    // Exact row counts of every table (query_to_xml runs one count per table in one statement).
    String verify = "export " + auth.strip() + "; out=$(psql -X -At -v ON_ERROR_STOP=1 -U " + user + " -d " + db
        + " -c \"SELECT count(*) || ' tables, ' || coalesce(sum((xpath('/row/c/text()', query_to_xml(format("
        + "'SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), 0)"
        + " || ' rows' FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        + " AND table_schema NOT IN ('pg_catalog', 'information_schema')\") && echo \"$out\" && " + NO_TABLES;
    return new Commands(dump, restore, verify);
  }

  // --single-transaction gives a consistent InnoDB snapshot without locking; --databases adds the
  // CREATE DATABASE / USE the restore replays into the freshly re-created database.
  private static Commands mariadb(String db, String user, String env) {
    String auth = "MYSQL_PWD=\"$" + env + "\" ";
    String dump = auth + "mariadb-dump -u " + user
        + " --single-transaction --routines --triggers --databases " + db;
    String restore = "export " + auth.strip() + "; mariadb -u " + user
        + " -e 'DROP DATABASE IF EXISTS `" + db + "`; CREATE DATABASE `" + db + "`'"
        + " && mariadb -u " + user;
    String verify = "export " + auth.strip() + "; out=$(mariadb -u " + user + " -N -B -e \"SELECT CONCAT(count(*),"
        + " ' tables, ', IFNULL(sum(table_rows), 0), ' rows (InnoDB estimate)') FROM information_schema.tables"
        + " WHERE table_schema = '" + db + "' AND table_type = 'BASE TABLE'\") && echo \"$out\" && " + NO_TABLES
        + " && mariadb-check -u " + user + " --silent " + db;
    return new Commands(dump, restore, verify);
  }

  // The dump is a replica's full sync: one point-in-time RDB of every database. The restore puts
  // it where the server loads its RDB from and has the server replace its whole dataset with it
  // (DEBUG RELOAD NOSAVE flushes and loads in one command, so no write lands in between). That
  // needs `--enable-debug-command local` on the server; with AOF on, the AOF is rewritten from
  // the restored data so that a restart keeps it.
  private static Commands redis(String env) {
    String auth = "if [ -n \"$" + env + "\" ]; then export REDISCLI_AUTH=\"$" + env + "\"; fi; ";
    // redis-cli exits 0 after a refused AUTH and after an error reply, so a wrong password would
    // only show further on as empty answers (an empty `dir`: the dump written to / and a
    // misleading mv error). PING first: anything but PONG stops with the server's own words.
    String ping = "pong=$(redis-cli PING 2>&1) || true;"
        + " [ \"$pong\" = PONG ] || { echo \"redis-cli PING: $pong\" >&2; exit 1; }; ";
    // `--rdb` itself exits non-zero when the server refuses it.
    String dump = auth + "redis-cli --rdb -";
    String restore = "set -e; " + auth + ping
        + "dir=$(redis-cli --raw CONFIG GET dir | sed -n 2p);"
        + " file=$(redis-cli --raw CONFIG GET dbfilename | sed -n 2p);"
        + " cat > \"$dir/.backstop-restore.rdb\";"
        // A background save finishing after the move would put the broken data back in the file.
        + " i=0; while redis-cli --raw INFO persistence | grep -q '^rdb_bgsave_in_progress:1'; do"
        + " i=$((i+1)); [ $i -lt 600 ] || { echo 'a background save is still running' >&2; exit 1; }; sleep 0.1; done;"
        + " mv \"$dir/.backstop-restore.rdb\" \"$dir/$file\";"
        + " out=$(redis-cli --raw DEBUG RELOAD NOSAVE);"
        + " [ \"$out\" = OK ] || { echo \"DEBUG RELOAD NOSAVE: $out (the server needs --enable-debug-command local)\" >&2; exit 1; };"
        // Until the rewrite is done the AOF still holds the broken data a restart would replay.
        + " if [ \"$(redis-cli --raw CONFIG GET appendonly | sed -n 2p)\" = yes ]; then"
        + " redis-cli BGREWRITEAOF >/dev/null; i=0;"
        + " while redis-cli --raw INFO persistence | grep -q -e '^aof_rewrite_in_progress:1' -e '^aof_rewrite_scheduled:1'; do"
        + " i=$((i+1)); [ $i -lt 3000 ] || { echo 'the AOF rewrite did not finish' >&2; exit 1; }; sleep 0.1; done;"
        + " redis-cli --raw INFO persistence | grep -q '^aof_last_bgrewrite_status:ok'"
        + " || { echo 'the AOF rewrite failed' >&2; exit 1; }; fi";
    String verify = auth + ping + "out=$(redis-cli --raw INFO keyspace | tr -d '\\r' | grep '^db' | paste -sd' ');"
        + " [ -n \"$out\" ] || { echo 'the restored dataset holds no keys' >&2; exit 1; }; echo \"$out\"";
    return new Commands(dump, restore, verify);
  }
}
