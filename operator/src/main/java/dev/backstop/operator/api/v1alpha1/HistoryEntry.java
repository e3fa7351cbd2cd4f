package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** One deploy or rollback. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class HistoryEntry {

  @JsonPropertyDescription("Deploy, Rollback, EmergencyRollback, Backup or Restore.")
  private ActionKind action;

  @JsonPropertyDescription("What started it.")
  private Trigger trigger;

  @JsonPropertyDescription("The revision running before.")
  private Revision from;

  @JsonPropertyDescription("The revision applied.")
  private Revision to;

  @JsonPropertyDescription("When it started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When it ended (RFC 3339).")
  private String endTime;

  @JsonPropertyDescription("InProgress, Succeeded or Failed.")
  private Result result;

  @JsonPropertyDescription("Why it started, and for a failure what failed.")
  private String reason;

  @JsonPropertyDescription(
      "The checks whose trip started this rollback or failed this deploy or rollback; empty when no check tripped (e.g. a deadline or a request).")
  private List<String> trippedChecks = new ArrayList<>();

  @JsonPropertyDescription(
      "A gradual rollback: the only services it applies (compose up --no-deps); empty when it applies the whole release.")
  private List<String> services = new ArrayList<>();

  @JsonPropertyDescription("The backup taken before this deploy, or restored by this rollback or restore.")
  private String backup;

  @JsonPropertyDescription("For a rollback or restore that restores a backup: how the restore went.")
  private Result restore;

  @JsonPropertyDescription(
      "Steps a stop of Backstop cut off in the middle, and what was done about it on restart, e.g. 'interrupted while applying; resumed'.")
  private List<String> interruptions = new ArrayList<>();

  public List<String> getServices() {
    return services;
  }

  public void setServices(List<String> services) {
    this.services = services;
  }

  public List<String> getInterruptions() {
    return interruptions;
  }

  public void setInterruptions(List<String> interruptions) {
    this.interruptions = interruptions;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public Result getRestore() {
    return restore;
  }

  public void setRestore(Result restore) {
    this.restore = restore;
  }

  public ActionKind getAction() {
    return action;
  }

  public void setAction(ActionKind action) {
    this.action = action;
  }

  public Trigger getTrigger() {
    return trigger;
  }

  public void setTrigger(Trigger trigger) {
    this.trigger = trigger;
  }

  public Revision getFrom() {
    return from;
  }

  public void setFrom(Revision from) {
    this.from = from;
  }

  public Revision getTo() {
    return to;
  }

  public void setTo(Revision to) {
    this.to = to;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getEndTime() {
    return endTime;
  }

  public void setEndTime(String endTime) {
    this.endTime = endTime;
  }

  public Result getResult() {
    return result;
  }

  public void setResult(Result result) {
    this.result = result;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public List<String> getTrippedChecks() {
    return trippedChecks;
  }

  public void setTrippedChecks(List<String> trippedChecks) {
    this.trippedChecks = trippedChecks;
  }
}
