package dev.backstop.operator.api.v1alpha1;

/**
 * A database whose exact dump and restore commands Backstop knows (spec.backup.preset); the
 * constants are lower case because they are the values people write in YAML.
 */
public enum BackupPreset {
  /** PostgreSQL: custom-format pg_dump; restore drops and re-creates the database, then pg_restore. */
  postgres,
  /** MariaDB: mariadb-dump of one database; restore drops and re-creates it, then replays the dump. */
  mariadb,
  /** Redis: an RDB snapshot through replication; restore replaces the whole dataset with it. */
  redis
}
