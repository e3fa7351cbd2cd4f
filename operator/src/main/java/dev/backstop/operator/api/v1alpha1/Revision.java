package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A git ref and the commit it resolved to. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Revision {

  @JsonPropertyDescription("The ref as named in spec.source.ref at the time.")
  private String ref;

  @JsonPropertyDescription("Full commit SHA.")
  private String commit;

  @JsonPropertyDescription("Abbreviated commit SHA, for people.")
  private String shortCommit;

  @JsonPropertyDescription("When this revision was resolved, applied or verified (RFC 3339).")
  private String time;

  @JsonPropertyDescription("For last-known-good: the newest backup taken while it ran.")
  private String backup;

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public String getRef() {
    return ref;
  }

  public void setRef(String ref) {
    this.ref = ref;
  }

  public String getCommit() {
    return commit;
  }

  public void setCommit(String commit) {
    this.commit = commit;
  }

  public String getShortCommit() {
    return shortCommit;
  }

  public void setShortCommit(String shortCommit) {
    this.shortCommit = shortCommit;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  /** A deep copy: changing it leaves this one as it was. */
  public Revision copy() {
    return DeepCopy.of(this, Revision.class);
  }
}
