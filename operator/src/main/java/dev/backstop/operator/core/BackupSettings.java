package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.BackupSpec;
import java.util.List;
import java.util.regex.Pattern;

/**
 * spec.backup with its defaults filled in and validated.
 *
 * @param storage the backup directory as written in the spec, or null for the default
 *     (<release state directory>/backups), which only a driver can resolve
 */
public record BackupSettings(
    String service,
    String command,
    String restoreCommand,
    boolean beforeDeploy,
    boolean restoreOnRollback,
    int retention,
    String storage,
    String restoreFrom) {

  public static final int DEFAULT_RETENTION = 10;

  /** Backup names become file names: no separators, no dot files. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");

  /** Validates spec.backup, adding what is wrong to {@code problems}; null when not configured. */
  static BackupSettings from(List<String> problems, BackupSpec spec) {
    if (spec == null) {
      return null;
    }
    if (blank(spec.getService())) {
      problems.add("spec.backup.service is required: the compose service that holds the database");
    }
    if (blank(spec.getCommand())) {
      problems.add("spec.backup.command is required: a command that writes the dump to stdout, e.g. pg_dump");
    }
    boolean restoreOnRollback = Boolean.TRUE.equals(spec.getRestoreOnRollback());
    String restoreFrom = blank(spec.getRestoreFrom()) ? null : spec.getRestoreFrom().trim();
    if (blank(spec.getRestoreCommand()) && (restoreOnRollback || restoreFrom != null)) {
      problems.add("spec.backup.restoreCommand is required when restoreOnRollback or restoreFrom is set:"
          + " a command that reads the dump from stdin, e.g. psql");
    }
    int retention = spec.getRetention() == null ? DEFAULT_RETENTION : spec.getRetention();
    if (retention < 1) {
      problems.add("spec.backup.retention must be 1 or more, not " + retention);
    }
    if (restoreFrom != null && !NAME.matcher(restoreFrom).matches()) {
      problems.add("spec.backup.restoreFrom '" + restoreFrom + "' is not a backup name (see status.backups)");
    }
    String storage = blank(spec.getStorage()) ? null : spec.getStorage().trim();
    if (storage != null && !storage.startsWith("/")) {
      problems.add("spec.backup.storage '" + storage + "' must be an absolute directory path");
    }
    return new BackupSettings(
        trim(spec.getService()),
        trim(spec.getCommand()),
        trim(spec.getRestoreCommand()),
        !Boolean.FALSE.equals(spec.getBeforeDeploy()),
        restoreOnRollback,
        retention,
        storage,
        restoreFrom);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
