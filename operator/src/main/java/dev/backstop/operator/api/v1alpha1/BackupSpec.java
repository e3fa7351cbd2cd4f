package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How the stack's database is dumped before deploys and restored on rollback. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {

  @JsonPropertyDescription("The compose service whose container holds the database; commands run in it with `docker exec`.")
  private String service;

  @JsonPropertyDescription(
      "Shell command (run with sh -c) that writes the dump to stdout, e.g. `pg_dump -U app app`. A non-zero exit or an empty dump fails the backup.")
  private String command;

  @JsonPropertyDescription(
      "Shell command (run with sh -c) that restores a dump read from stdin, e.g. `psql -v ON_ERROR_STOP=1 -U app -d app`. Required for restoreOnRollback and restoreFrom.")
  private String restoreCommand;

  @JsonPropertyDescription(
      "Take a backup before every deploy of a new commit while a stack runs; a failed backup stops the deploy. Default true.")
  private Boolean beforeDeploy;

  @JsonPropertyDescription(
      "On a rollback, restore the backup taken just before the failed deploy once the last-known-good services are healthy. Default false: a restore discards what was written since the backup.")
  private Boolean restoreOnRollback;

  @Min(1)
  @JsonPropertyDescription(
      "How many backups to keep; older ones are deleted unless last-known-good or history still names them. Default 10.")
  private Integer retention;

  @JsonPropertyDescription(
      "Where backups are kept: an absolute directory (local mode's state directory, a mounted volume in the cluster) or s3://bucket/prefix for an S3-compatible store (see s3), which a lost node cannot take with it. Default: <release state directory>/backups.")
  private String storage;

  @JsonPropertyDescription(
      "Name of a backup in status.backups to restore now; each new value restores once and is recorded in history.")
  private String restoreFrom;

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public String getCommand() {
    return command;
  }

  public void setCommand(String command) {
    this.command = command;
  }

  public String getRestoreCommand() {
    return restoreCommand;
  }

  public void setRestoreCommand(String restoreCommand) {
    this.restoreCommand = restoreCommand;
  }

  public Boolean getBeforeDeploy() {
    return beforeDeploy;
  }

  public void setBeforeDeploy(Boolean beforeDeploy) {
    this.beforeDeploy = beforeDeploy;
  }

  public Boolean getRestoreOnRollback() {
    return restoreOnRollback;
  }

  public void setRestoreOnRollback(Boolean restoreOnRollback) {
    this.restoreOnRollback = restoreOnRollback;
  }

  public Integer getRetention() {
    return retention;
  }

  public void setRetention(Integer retention) {
    this.retention = retention;
  }

  public String getStorage() {
    return storage;
  }

  public void setStorage(String storage) {
    this.storage = storage;
  }

  public String getRestoreFrom() {
    return restoreFrom;
  }

  public void setRestoreFrom(String restoreFrom) {
    this.restoreFrom = restoreFrom;
  }

  @JsonPropertyDescription(
      "A database Backstop knows how to dump and restore exactly: postgres, mariadb or redis. Excludes command and restoreCommand.")
  private BackupPreset preset;

  @JsonPropertyDescription("The database a postgres or mariadb preset dumps and restores (redis: all of its data).")
  private String database;

  @JsonPropertyDescription("The database user a postgres or mariadb preset connects as.")
  private String user;

  @JsonPropertyDescription(
      "Environment variable of the database container that holds the password, read inside the container so the password never passes through Backstop. Default POSTGRES_PASSWORD, MARIADB_PASSWORD or REDIS_PASSWORD; unset or empty means no password.")
  private String passwordEnv;

  public BackupPreset getPreset() {
    return preset;
  }

  public void setPreset(BackupPreset preset) {
    this.preset = preset;
  }

  public String getDatabase() {
    return database;
  }

  public void setDatabase(String database) {
    this.database = database;
  }

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  @JsonPropertyDescription(
      "Secret holding the database password for a preset (local mode: secrets/<name>.env beside the manifests), used in place of passwordEnv. It reaches the database container only in the environment of each `docker exec` (as BACKSTOP_DB_PASSWORD), never on a command line, in status or in logs.")
  private SecretReference passwordSecretRef;

  @JsonPropertyDescription("Key of passwordSecretRef's Secret that holds the password. Default: password.")
  private String passwordKey;

  public SecretReference getPasswordSecretRef() {
    return passwordSecretRef;
  }

  public void setPasswordSecretRef(SecretReference passwordSecretRef) {
    this.passwordSecretRef = passwordSecretRef;
  }

  public String getPasswordKey() {
    return passwordKey;
  }

  public void setPasswordKey(String passwordKey) {
    this.passwordKey = passwordKey;
  }

  public String getPasswordEnv() {
    return passwordEnv;
  }

  public void setPasswordEnv(String passwordEnv) {
    this.passwordEnv = passwordEnv;
  }

  @JsonPropertyDescription(
      "afterBackup: restore every new backup into a throwaway container of the database service's image (no network, removed afterwards) and run the integrity check; a backup whose drill fails is not kept and the deploy stops. Default never.")
  private BackupDrillMode drill;

  @JsonPropertyDescription(
      "Integrity check (sh -c) run in the drill container after the restore; must exit 0. Default for a preset: count tables and rows (redis: keys); required for drills without a preset.")
  private String verifyCommand;

  public BackupDrillMode getDrill() {
    return drill;
  }

  public void setDrill(BackupDrillMode drill) {
    this.drill = drill;
  }

  public String getVerifyCommand() {
    return verifyCommand;
  }

  public void setVerifyCommand(String verifyCommand) {
    this.verifyCommand = verifyCommand;
  }

  @JsonPropertyDescription(
      "Before a rollback that restores a backup, dump the database as the broken version left it (kept for investigation and named in status.lastRollback). A failed dump does not stop the rollback. Needs restoreOnRollback. Default false.")
  private Boolean beforeRollback;

  public Boolean getBeforeRollback() {
    return beforeRollback;
  }

  public void setBeforeRollback(Boolean beforeRollback) {
    this.beforeRollback = beforeRollback;
  }

  @JsonPropertyDescription("Endpoint, region and credentials of the store, when storage is an s3:// URL.")
  private BackupS3Spec s3;

  @JsonPropertyDescription(
      "Encrypt backups at rest (streaming AES-256-GCM). A backup is restored only with the key it was written with; the SHA-256 in status is of the encrypted bytes.")
  private BackupEncryptionSpec encryption;

  public BackupS3Spec getS3() {
    return s3;
  }

  public void setS3(BackupS3Spec s3) {
    this.s3 = s3;
  }

  public BackupEncryptionSpec getEncryption() {
    return encryption;
  }

  public void setEncryption(BackupEncryptionSpec encryption) {
    this.encryption = encryption;
  }

  @JsonPropertyDescription(
      "How new backups are compressed: zstd (low level, a fraction of gzip's CPU), gzip or none. Restores read whichever a backup was written with, so changing this keeps every backup restorable. Default zstd.")
  private BackupCompression compression;

  public BackupCompression getCompression() {
    return compression;
  }

  public void setCompression(BackupCompression compression) {
    this.compression = compression;
  }

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @ValidationRule(value = "duration(self) >= duration('1s')", message = "timeout must be at least 1s")
  @Size(max = 32)
  @JsonPropertyDescription(
      "How long one dump, restore or restore drill may run before it is stopped (its command is killed in the container too when the engine runs on the Backstop host), e.g. 30m. A stopped backup is not kept; a stopped restore is reported as possibly partial. Default 1h, at least 1s.")
  private String timeout;

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }
}
