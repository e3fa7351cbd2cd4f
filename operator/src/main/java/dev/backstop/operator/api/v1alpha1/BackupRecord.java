package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One database backup file and what it holds. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class BackupRecord {

  @JsonPropertyDescription("Name of the backup; the file is <storage>/<name>.gz.")
  private String name;

  @JsonPropertyDescription("The commit whose stack was running when the dump was taken.")
  private String commit;

  @JsonPropertyDescription("When the dump finished (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Size of the compressed file in bytes.")
  private Long size;

  @JsonPropertyDescription("SHA-256 of the compressed file, hex; a restore refuses a file that differs.")
  private String sha256;

  @JsonPropertyDescription("Why it was taken: before a deploy, or on request.")
  private String reason;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getCommit() {
    return commit;
  }

  public void setCommit(String commit) {
    this.commit = commit;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Long getSize() {
    return size;
  }

  public void setSize(Long size) {
    this.size = size;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  @JsonPropertyDescription("The restore drill of this backup (spec.backup.drill: afterBackup), if one ran.")
  private BackupDrill drill;

  public BackupDrill getDrill() {
    return drill;
  }

  public void setDrill(BackupDrill drill) {
    this.drill = drill;
  }
}
