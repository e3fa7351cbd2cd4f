package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.BackupCompression;
import dev.backstop.operator.api.v1alpha1.BackupDrillMode;
import dev.backstop.operator.api.v1alpha1.BackupPreset;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.core.checks.CheckFields;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * spec.backup with its defaults filled in and validated.
 *
 * @param storage the backup directory as written in the spec, or null for the default
 *     (<release state directory>/backups), which only a driver can resolve
 * @param preset the preset whose commands {@code command} and {@code restoreCommand} are, or null
 * @param drillAfterBackup restore every new backup into a throwaway container and check it
 * @param verifyCommand the drill's integrity check (the preset's unless given), or null
 * @param beforeRollback dump the broken version's database before a rollback's restore
 * @param remote the S3 location when storage is an s3:// URL (then {@code storage} is null), or null
 * @param encryption where the encryption key is, or null for backups stored unencrypted
 * @param timeout how long one dump, restore or drill may run before it is stopped
 * @param compression how new backups are compressed
 */
public record BackupSettings(
    String service,
    String command,
    String restoreCommand,
    boolean beforeDeploy,
    boolean restoreOnRollback,
    int retention,
    String storage,
    String restoreFrom,
    BackupPreset preset,
    boolean drillAfterBackup,
    String verifyCommand,
    boolean beforeRollback,
    Remote remote,
    Encryption encryption,
    Duration timeout,
    BackupCompression compression) {

  public static final int DEFAULT_RETENTION = 10;

  /** spec.backup.timeout when unset: a dump or restore of a staging database well within it. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  /**
   * The variable each `docker exec` of a backup, restore or drill gets the password of
   * spec.backup.passwordSecretRef in; preset commands read it in place of passwordEnv.
   */
  public static final String PASSWORD_VARIABLE = "BACKSTOP_DB_PASSWORD";

  /** spec.backup.timeout may not be shorter: no real dump finishes sooner. */
  static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]*");
  private static final String SECRET_KEY_DEFAULT = "key";

  /**
   * spec.backup.storage: s3://bucket/prefix with spec.backup.s3.
   *
   * @param prefix key prefix without leading or trailing slash, possibly empty
   * @param endpoint the S3 API URL, or null for AWS
   * @param region the bucket's region, or null for the driver's default
   * @param secretName the Secret with the credentials, or null for Backstop's environment
   */
  public record Remote(String bucket, String prefix, String endpoint, String region, boolean pathStyle,
      String secretName) {}

  /** spec.backup.encryption: the Secret and its key that hold the AES-256 key. */
  public record Encryption(String secretName, String key) {}

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
    BackupPresets.Commands preset = spec.getPreset() == null ? null : preset(problems, spec);
    if (preset == null && spec.getPreset() == null && blank(spec.getCommand())) {
      problems.add("spec.backup.command is required: a command that writes the dump to stdout, e.g. pg_dump"
          + " (or set spec.backup.preset: postgres, mariadb or redis)");
    }
    boolean restoreOnRollback = Boolean.TRUE.equals(spec.getRestoreOnRollback());
    String restoreFrom = blank(spec.getRestoreFrom()) ? null : spec.getRestoreFrom().trim();
    if (spec.getPreset() == null && blank(spec.getRestoreCommand()) && (restoreOnRollback || restoreFrom != null)) {
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
    String verify = !blank(spec.getVerifyCommand()) ? spec.getVerifyCommand().trim()
        : preset != null ? preset.verify() : null;
    boolean drill = spec.getDrill() == BackupDrillMode.afterBackup;
    if (drill && verify == null && spec.getPreset() == null) {
      problems.add("spec.backup.verifyCommand is required for spec.backup.drill: afterBackup without a preset:"
          + " a check that exits 0 when the restored database is sound");
    }
    if (drill && spec.getPreset() == null && blank(spec.getRestoreCommand())) {
      problems.add("spec.backup.restoreCommand is required for spec.backup.drill: afterBackup: the drill restores with it");
    }
    boolean beforeRollback = Boolean.TRUE.equals(spec.getBeforeRollback());
    if (beforeRollback && !restoreOnRollback) {
      problems.add("spec.backup.beforeRollback needs spec.backup.restoreOnRollback: true; without a restore"
          + " nothing overwrites the data a rollback leaves");
    }
    Duration timeout = CheckFields.duration(problems, "spec.backup.timeout", spec.getTimeout(), DEFAULT_TIMEOUT);
    if (timeout.compareTo(MIN_TIMEOUT) < 0) {
      problems.add("spec.backup.timeout " + Durations.format(timeout) + " is below the floor of "
          + Durations.format(MIN_TIMEOUT) + ": no dump or restore finishes that soon");
    }
    String storage = blank(spec.getStorage()) ? null : spec.getStorage().trim();
    Remote remote = null;
    if (storage != null && storage.startsWith("s3://")) {
      remote = remote(problems, storage, spec.getS3());
      storage = null;
    } else if (storage != null && !storage.startsWith("/")) {
      problems.add("spec.backup.storage '" + storage + "' must be an absolute directory path or s3://bucket/prefix");
    }
    if (spec.getS3() != null && (blank(spec.getStorage()) || !spec.getStorage().trim().startsWith("s3://"))) {
      problems.add("spec.backup.s3 applies only when spec.backup.storage is an s3:// URL; set storage or remove s3");
    }
    Encryption encryption = encryption(problems, spec);
    return new BackupSettings(
        trim(spec.getService()),
        preset != null ? preset.dump() : trim(spec.getCommand()),
        preset != null ? preset.restore() : trim(spec.getRestoreCommand()),
        !Boolean.FALSE.equals(spec.getBeforeDeploy()),
        restoreOnRollback,
        retention,
        storage,
        restoreFrom,
        spec.getPreset(),
        drill,
        verify,
        beforeRollback,
        remote,
        encryption,
        timeout,
        spec.getCompression() == null ? BackupCompression.zstd : spec.getCompression());
  }

  private static Remote remote(List<String> problems, String url, dev.backstop.operator.api.v1alpha1.BackupS3Spec s3) {
    String rest = url.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
    int before = problems.size();
    if (!BUCKET.matcher(bucket).matches()) {
      problems.add("spec.backup.storage '" + url + "': '" + bucket + "' is not a bucket name"
          + " (3 to 63 lower-case letters, digits, dots and hyphens)");
    }
    if (!PREFIX.matcher(prefix).matches() || prefix.contains("//")) {
      problems.add("spec.backup.storage '" + url + "': the prefix '" + prefix + "' may hold only letters, digits,"
          + " single slashes and !_.*'()-");
    }
    String endpoint = s3 == null || blank(s3.getEndpoint()) ? null : s3.getEndpoint().trim();
    if (endpoint != null && !endpoint.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
      problems.add("spec.backup.s3.endpoint '" + endpoint + "' must be an http:// or https:// URL");
    }
    String region = s3 == null || blank(s3.getRegion()) ? null : s3.getRegion().trim();
    if (region != null && !region.matches("[a-z0-9-]{1,40}")) {
      problems.add("spec.backup.s3.region '" + region + "' is not a region name, e.g. eu-west-1");
    }
    String secret = s3 == null || s3.getSecretRef() == null || blank(s3.getSecretRef().getName()) ? null
        : s3.getSecretRef().getName().trim();
    if (s3 != null && s3.getSecretRef() != null && secret == null) {
      problems.add("spec.backup.s3.secretRef.name is required: the Secret with AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY");
    }
    boolean pathStyle = s3 != null && s3.getPathStyle() != null ? s3.getPathStyle() : endpoint != null;
    return problems.size() > before ? null : new Remote(bucket, prefix, endpoint, region, pathStyle, secret);
  }

  private static Encryption encryption(List<String> problems, BackupSpec spec) {
    var e = spec.getEncryption();
    if (e == null) {
      return null;
    }
    if (e.getSecretRef() == null || blank(e.getSecretRef().getName())) {
      problems.add("spec.backup.encryption.secretRef.name is required: the Secret that holds the AES-256 key");
      return null;
    }
    String key = blank(e.getKey()) ? SECRET_KEY_DEFAULT : e.getKey().trim();
    return new Encryption(e.getSecretRef().getName().trim(), key);
  }

  /** The preset's commands, or null (with problems added) when its fields do not fit it. */
  private static BackupPresets.Commands preset(List<String> problems, BackupSpec spec) {
    BackupPreset preset = spec.getPreset();
    int before = problems.size();
    if (!blank(spec.getCommand()) || !blank(spec.getRestoreCommand())) {
      problems.add("spec.backup.preset " + preset + " sets the dump and restore commands itself:"
          + " remove spec.backup.command and spec.backup.restoreCommand, or remove the preset");
    }
    if (BackupPresets.takesDatabase(preset)) {
      identifier(problems, "spec.backup.database", spec.getDatabase(), preset, "the database to dump");
      identifier(problems, "spec.backup.user", spec.getUser(), preset, "the user to connect as");
    } else {
      if (!blank(spec.getDatabase())) {
        problems.add("spec.backup.database does not apply to preset " + preset
            + ": its snapshot holds every database; remove it");
      }
      if (!blank(spec.getUser())) {
        problems.add("spec.backup.user does not apply to preset " + preset
            + ": it authenticates with the password only; remove it");
      }
    }
    var secretRef = spec.getPasswordSecretRef();
    if (secretRef != null && !blank(spec.getPasswordEnv())) {
      problems.add("spec.backup.passwordSecretRef and spec.backup.passwordEnv both name the password; keep one");
    }
    if (secretRef != null && blank(secretRef.getName())) {
      problems.add("spec.backup.passwordSecretRef.name is required: the Secret that holds the database password");
    }
    // The Secret's value arrives in the exec's environment under this name, never in the command.
    String env = secretRef != null ? PASSWORD_VARIABLE
        : blank(spec.getPasswordEnv()) ? BackupPresets.defaultPasswordEnv(preset) : spec.getPasswordEnv().trim();
    if (!BackupPresets.ENV_NAME.matcher(env).matches()) {
      problems.add("spec.backup.passwordEnv '" + env + "' is not an environment variable name"
          + " (letters, digits and _, not starting with a digit)");
    }
    if (problems.size() > before) {
      return null;
    }
    return BackupPresets.commands(preset, trim(spec.getDatabase()), trim(spec.getUser()), env);
  }

  private static void identifier(List<String> problems, String field, String value, BackupPreset preset,
      String what) {
    if (blank(value)) {
      problems.add(field + " is required with preset " + preset + ": " + what);
    } else if (!BackupPresets.IDENTIFIER.matcher(value.trim()).matches()) {
      problems.add(field + " '" + value.trim() + "' must be a plain name (letters, digits, _ and -,"
          + " not starting with a digit or -, at most 63 characters)");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
