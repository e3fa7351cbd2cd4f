package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** A deploy or rollback in flight. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Operation {

  @JsonPropertyDescription("Deploy, Rollback, EmergencyRollback, Backup or Restore.")
  private ActionKind kind;

  @JsonPropertyDescription("What started it.")
  private Trigger trigger;

  @JsonPropertyDescription("Applying (compose up running), Verifying (waiting for checks), BackingUp or Restoring.")
  private OperationStage stage;

  @JsonPropertyDescription("The revision running before.")
  private Revision from;

  @JsonPropertyDescription("The revision being applied.")
  private Revision target;

  @JsonPropertyDescription("Why it started, for people.")
  private String reason;

  @JsonPropertyDescription("When it started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When compose up finished; the progress deadline counts from here (RFC 3339).")
  private String appliedTime;

  @JsonPropertyDescription(
      "When the progress deadline counts from, if not appliedTime: the engine answered again after an outage (RFC 3339).")
  private String progressFrom;

  @JsonPropertyDescription(
      "A gradual rollback: the only services it applies (compose up --no-deps); empty when it applies the whole release.")
  private List<String> services = new ArrayList<>();

  @JsonPropertyDescription("For a rollback: when the failure that caused it was detected (RFC 3339).")
  private String detectionTime;

  @JsonPropertyDescription(
      "For a deploy or backup: the backup taken (or being taken) before it. For a rollback or restore: the backup it restores.")
  private String backup;

  @JsonPropertyDescription("While the stage's action (compose up, dump, restore) runs: when it was handed over"
      + " (RFC 3339). Still set after a restart means the process stopped in the middle of it.")
  private String actingSince;

  public String getActingSince() {
    return actingSince;
  }

  public void setActingSince(String actingSince) {
    this.actingSince = actingSince;
  }

  public String getProgressFrom() {
    return progressFrom;
  }

  public void setProgressFrom(String progressFrom) {
    this.progressFrom = progressFrom;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public ActionKind getKind() {
    return kind;
  }

  public void setKind(ActionKind kind) {
    this.kind = kind;
  }

  public Trigger getTrigger() {
    return trigger;
  }

  public void setTrigger(Trigger trigger) {
    this.trigger = trigger;
  }

  public OperationStage getStage() {
    return stage;
  }

  public void setStage(OperationStage stage) {
    this.stage = stage;
  }

  public Revision getFrom() {
    return from;
  }

  public void setFrom(Revision from) {
    this.from = from;
  }

  public Revision getTarget() {
    return target;
  }

  public void setTarget(Revision target) {
    this.target = target;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getAppliedTime() {
    return appliedTime;
  }

  public void setAppliedTime(String appliedTime) {
    this.appliedTime = appliedTime;
  }

  public List<String> getServices() {
    return services;
  }

  public void setServices(List<String> services) {
    this.services = services;
  }

  public String getDetectionTime() {
    return detectionTime;
  }

  public void setDetectionTime(String detectionTime) {
    this.detectionTime = detectionTime;
  }
}
