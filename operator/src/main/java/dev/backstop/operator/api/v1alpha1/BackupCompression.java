package dev.backstop.operator.api.v1alpha1;

/** How new backups are compressed (spec.backup.compression); lower case as written in YAML. */
public enum BackupCompression {
  /** zstd at a low level: fast enough to keep up with the database on a small host. */
  zstd,
  /** gzip at its fastest level, as backups were written before zstd; several times the CPU. */
  gzip,
  /** Not compressed: for dumps that compress themselves (pg_dump -Fc) or are not worth it. */
  none
}
