package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Desired state of a StagingRelease. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StagingReleaseSpec {

  @Required
  @JsonPropertyDescription("The git repository and ref the stack should run.")
  private SourceSpec source;

  @JsonPropertyDescription("How the stack is applied with `docker compose`.")
  private ComposeSpec compose;

  @JsonPropertyDescription("What healthy means, and how long a deploy has to get there.")
  private HealthSpec health;

  @JsonPropertyDescription("When and how the stack moves back to its last-known-good commit.")
  private RollbackSpec rollback;

  @JsonPropertyDescription("Database backup before deploys, restore on rollback, and named restores.")
  private BackupSpec backup;

  @JsonPropertyDescription("Webhooks told about deploys and rollbacks.")
  private NotifySpec notify;

  @JsonPropertyDescription(
      "When true, Backstop observes and reports but changes nothing on the Docker host.")
  private Boolean suspend;

  @JsonPropertyDescription(
      "What deleting this StagingRelease does to the stack: Retain (default) leaves it running,"
          + " Down runs `docker compose down`.")
  private DeletionPolicy deletionPolicy;

  public SourceSpec getSource() {
    return source;
  }

  public void setSource(SourceSpec source) {
    this.source = source;
  }

  public ComposeSpec getCompose() {
    return compose;
  }

  public void setCompose(ComposeSpec compose) {
    this.compose = compose;
  }

  public HealthSpec getHealth() {
    return health;
  }

  public void setHealth(HealthSpec health) {
    this.health = health;
  }

  public RollbackSpec getRollback() {
    return rollback;
  }

  public void setRollback(RollbackSpec rollback) {
    this.rollback = rollback;
  }

  public BackupSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupSpec backup) {
    this.backup = backup;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public NotifySpec getNotify() {
    return notify;
  }

  public void setNotify(NotifySpec notify) {
    this.notify = notify;
  }

  /** A deep copy: changing it leaves this one as it was. */
  public StagingReleaseSpec copy() {
    return DeepCopy.of(this, StagingReleaseSpec.class);
  }
}
