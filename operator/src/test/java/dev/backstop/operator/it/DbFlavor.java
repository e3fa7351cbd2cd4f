package dev.backstop.operator.it;

import java.util.List;
import java.util.Map;

/**
 * One database of the backup stories: its test image, how the app service migrates it, the v1
 * and v2 migrations (v2 deletes, changes and adds data and schema), and a snapshot of everything
 * the database holds, for comparing before and after a restore.
 */
enum DbFlavor {
  POSTGRES("backstop-test/postgres:15", "migrate.sql", "POSTGRES_PASSWORD") {
    @Override
    Map<String, String> env(String db, String user) {
      return Map.of("POSTGRES_USER", user, "POSTGRES_DB", db, "POSTGRES_PASSWORD", "pg-" + PASSWORD);
    }

    /**
     * The image initialises with trust auth and ignores POSTGRES_PASSWORD. This creates the
     * cluster first (the entrypoint then finds it and only starts the server): POSTGRES_USER as
     * its superuser with POSTGRES_PASSWORD, scram-sha-256 for every connection, the unix socket
     * that `docker exec` uses included, and POSTGRES_DB. The drill container copies this command
     * and environment, so it enforces the same password.
     */
    @Override
    List<String> passwordEnforcingCommand() {
      // $$: compose would otherwise interpolate the variables itself.
      return List.of("sh", "-c", """
          set -e
          export PGDATA=/var/lib/postgresql/data
          if [ ! -s "$$PGDATA/PG_VERSION" ]; then
            mkdir -p "$$PGDATA" && chown postgres:postgres "$$PGDATA"
            printf '%s\\n' "$$POSTGRES_PASSWORD" >/tmp/pwfile && chown postgres /tmp/pwfile
            su postgres -s /bin/sh -c "initdb -D $$PGDATA -U $$POSTGRES_USER -A scram-sha-256 --pwfile=/tmp/pwfile --no-sync >/dev/null"
            rm /tmp/pwfile
            echo "listen_addresses='*'" >>"$$PGDATA/postgresql.conf"
            echo 'host all all 0.0.0.0/0 scram-sha-256' >>"$$PGDATA/pg_hba.conf"
            echo "CREATE DATABASE \\"$$POSTGRES_DB\\"" | su postgres -s /bin/sh -c "postgres --single -D $$PGDATA -j postgres >/dev/null"
          fi
          exec /usr/local/bin/pg-entrypoint
          """);
    }

    @Override
    String migrate(String host, String db, String user) {
      return "PGPASSWORD=\"$$POSTGRES_PASSWORD\" psql -q -v ON_ERROR_STOP=1 -h " + host + " -U " + user + " -d " + db
          + " -f /migrate";
    }

    @Override
    String v1() {
      return """
          CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name text NOT NULL);
          INSERT INTO items VALUES (1, 'apple'), (2, 'pear'), (3, 'plum') ON CONFLICT DO NOTHING;
          CREATE OR REPLACE VIEW item_names AS SELECT name FROM items;
          """;
    }

    @Override
    String v2() {
      return """
          DROP VIEW item_names;
          ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 0;
          UPDATE items SET name = upper(name), price = 7;
          DELETE FROM items WHERE id = 2;
          INSERT INTO items VALUES (4, 'FIG', 9);
          CREATE TABLE audit (at timestamptz DEFAULT now(), what text);
          INSERT INTO audit (what) VALUES ('v2 migrated');
          """;
    }

    @Override
    List<String> snapshot(String db, String user) {
      // The password from the container's environment: the server may enforce it (see above).
      return List.of("sh", "-c", "PGPASSWORD=\"$POSTGRES_PASSWORD\" exec \"$@\"", "sh", "psql", "-U", user, "-d", db,
          "-At", "-c",
          "SELECT 'relations: ' || string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables"
              + " WHERE table_schema = 'public'",
          "-c", "SELECT 'items columns: ' || string_agg(column_name, ',' ORDER BY ordinal_position)"
              + " FROM information_schema.columns WHERE table_name = 'items'",
          "-c", "SELECT id, name FROM items ORDER BY id");
    }
  },

  MARIADB("backstop-test/mariadb:10.11", "migrate.sql", "MARIADB_PASSWORD") {
    @Override
    Map<String, String> env(String db, String user) {
      return Map.of("MARIADB_DATABASE", db, "MARIADB_USER", user, "MARIADB_PASSWORD", "mdb-" + PASSWORD);
    }

    @Override
    String migrate(String host, String db, String user) {
      // $$: compose would otherwise interpolate the variable itself.
      return "MYSQL_PWD=\"$$MARIADB_PASSWORD\" mariadb -h " + host + " -u " + user + " " + db + " < /migrate";
    }

    @Override
    String v1() {
      return """
          CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name varchar(20) NOT NULL);
          INSERT IGNORE INTO items (id, name) VALUES (1, 'apple'), (2, 'pear'), (3, 'plum');
          CREATE OR REPLACE PROCEDURE item_count() SELECT count(*) FROM items;
          CREATE TRIGGER IF NOT EXISTS no_empty_names BEFORE INSERT ON items FOR EACH ROW SET NEW.name = IF(NEW.name = '', '?', NEW.name);
          """;
    }

    @Override
    String v2() {
      return """
          DROP PROCEDURE item_count;
          DROP TRIGGER no_empty_names;
          ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 0;
          UPDATE items SET name = upper(name), price = 7;
          DELETE FROM items WHERE id = 2;
          INSERT INTO items VALUES (4, 'FIG', 9);
          CREATE TABLE audit (what text);
          INSERT INTO audit VALUES ('v2 migrated');
          """;
    }

    @Override
    List<String> snapshot(String db, String user) {
      String where = " WHERE table_schema = '" + db + "'";
      return List.of("sh", "-c", "MYSQL_PWD=\"$MARIADB_PASSWORD\" mariadb -u " + user + " " + db + " -N -B -e \""
          + "SELECT CONCAT('tables: ', GROUP_CONCAT(table_name ORDER BY table_name)) FROM information_schema.tables" + where + ";"
          + "SELECT CONCAT('items columns: ', GROUP_CONCAT(column_name ORDER BY ordinal_position)) FROM information_schema.columns"
          + where + " AND table_name = 'items';"
          + "SELECT CONCAT('routines: ', IFNULL(GROUP_CONCAT(routine_name), '-')) FROM information_schema.routines WHERE routine_schema = '" + db + "';"
          + "SELECT CONCAT('triggers: ', IFNULL(GROUP_CONCAT(trigger_name), '-')) FROM information_schema.triggers WHERE trigger_schema = '" + db + "';"
          + "SELECT id, name FROM items ORDER BY id\"");
    }
  },

  // The image runs with REDIS_PASSWORD as requirepass: every client must authenticate.
  REDIS("backstop-test/redis:7", "migrate.redis", "REDIS_PASSWORD") {
    /** The server command line the README shows for the redis preset. */
    static final String SERVER = "redis-server --save 60 1 --appendonly yes --enable-debug-command local";

    @Override
    Map<String, String> env(String db, String user) {
      return Map.of("REDIS_PASSWORD", "rds-" + PASSWORD);
    }

    @Override
    String serverCommand() {
      return SERVER;
    }

    @Override
    String migrate(String host, String db, String user) {
      return "REDISCLI_AUTH=\"$$REDIS_PASSWORD\" redis-cli -h " + host + " < /migrate";
    }

    @Override
    String v1() {
      return """
          SET item:1 apple
          SET item:2 pear
          SET item:3 plum
          HSET stock apple 5 pear 2
          SELECT 1
          SET sessions:count 3
          """;
    }

    @Override
    String v2() {
      return """
          DEL item:2
          SET item:1 APPLE
          SET item:4 FIG
          HSET stock fig 9
          SET audit v2-migrated
          SELECT 1
          FLUSHDB
          SET sessions:v2 yes
          """;
    }

    @Override
    List<String> snapshot(String db, String user) {
      return List.of("sh", "-c", "export REDISCLI_AUTH=\"$REDIS_PASSWORD\"; for n in 0 1 2; do echo \"db$n\";"
          + " redis-cli -n $n --raw KEYS '*' | sort | while read -r k; do [ -n \"$k\" ] || continue;"
          + " case $(redis-cli -n $n --raw TYPE \"$k\") in"
          + " hash) echo \"$k=$(redis-cli -n $n --raw HGETALL \"$k\" | paste -sd,)\";;"
          + " *) echo \"$k=$(redis-cli -n $n --raw GET \"$k\")\";; esac; done; done");
    }
  };

  /** Different per run, so that no test can pass on a password it knows in advance. */
  static final String PASSWORD = Long.toHexString(Double.doubleToLongBits(Math.random()));

  final String image;
  final String migrationFile;
  /** The variable of {@link #env} that holds the password. */
  final String passwordVariable;

  DbFlavor(String image, String migrationFile, String passwordVariable) {
    this.image = image;
    this.migrationFile = migrationFile;
    this.passwordVariable = passwordVariable;
  }

  abstract Map<String, String> env(String db, String user);

  /** The password the database service is started with. */
  String password(String db, String user) {
    return env(db, user).get(passwordVariable);
  }

  /** The database service's command line, or null for the image's own. */
  Object serverCommand() {
    return null;
  }

  /**
   * The database service's command line when every connection must give the password, or null
   * when {@link #serverCommand} already makes the server refuse a wrong one.
   */
  Object passwordEnforcingCommand() {
    return null;
  }

  abstract String migrate(String host, String db, String user);

  abstract String v1();

  abstract String v2();

  /** Run in the database container by `docker compose exec -T`; prints what the database holds. */
  abstract List<String> snapshot(String db, String user);
}
