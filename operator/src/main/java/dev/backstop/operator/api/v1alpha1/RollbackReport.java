package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The runbook's rollback report for the most recent rollback. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RollbackReport {

  @JsonPropertyDescription("Automatic (HealthCheck, VerificationFailed), Manual or Emergency.")
  private Trigger trigger;

  @JsonPropertyDescription("What went wrong.")
  private String reason;

  @JsonPropertyDescription("The revision rolled back from.")
  private Revision from;

  @JsonPropertyDescription("The revision rolled back to.")
  private Revision to;

  @JsonPropertyDescription("When the failure was detected (RFC 3339).")
  private String detectionTime;

  @JsonPropertyDescription("When the rollback started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When the last-known-good stack was applied (RFC 3339).")
  private String appliedTime;

  @JsonPropertyDescription("When the last-known-good stack passed its checks (RFC 3339).")
  private String recoveredTime;

  @JsonPropertyDescription("From rollback start to the last-known-good stack applied.")
  private Double rollbackSeconds;

  @JsonPropertyDescription("From detection to the last-known-good stack passing its checks.")
  private Double recoverySeconds;

  @JsonPropertyDescription(
      "The checks whose trip caused this rollback (directly, or by failing the deploy it undoes); empty when no check tripped.")
  private List<String> trippedChecks = new ArrayList<>();

  @JsonPropertyDescription("Compose services that were failing.")
  private List<String> servicesAffected = new ArrayList<>();

  @JsonPropertyDescription("True after an emergency rollback: no verification gate ran.")
  private Boolean manualVerificationRequired;

  @JsonPropertyDescription("InProgress, Succeeded or Failed.")
  private Result result;

  public Trigger getTrigger() {
    return trigger;
  }

  public void setTrigger(Trigger trigger) {
    this.trigger = trigger;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
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

  public String getDetectionTime() {
    return detectionTime;
  }

  public void setDetectionTime(String detectionTime) {
    this.detectionTime = detectionTime;
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

  public String getRecoveredTime() {
    return recoveredTime;
  }

  public void setRecoveredTime(String recoveredTime) {
    this.recoveredTime = recoveredTime;
  }

  public Double getRollbackSeconds() {
    return rollbackSeconds;
  }

  public void setRollbackSeconds(Double rollbackSeconds) {
    this.rollbackSeconds = rollbackSeconds;
  }

  public Double getRecoverySeconds() {
    return recoverySeconds;
  }

  public void setRecoverySeconds(Double recoverySeconds) {
    this.recoverySeconds = recoverySeconds;
  }

  public List<String> getServicesAffected() {
    return servicesAffected;
  }

  public void setServicesAffected(List<String> servicesAffected) {
    this.servicesAffected = servicesAffected;
  }

  public Boolean getManualVerificationRequired() {
    return manualVerificationRequired;
  }

  public void setManualVerificationRequired(Boolean manualVerificationRequired) {
    this.manualVerificationRequired = manualVerificationRequired;
  }

  public Result getResult() {
    return result;
  }

  public void setResult(Result result) {
    this.result = result;
  }

  public List<String> getTrippedChecks() {
    return trippedChecks;
  }

  public void setTrippedChecks(List<String> trippedChecks) {
    this.trippedChecks = trippedChecks;
  }

  @JsonPropertyDescription(
      "The backup taken of the database as the broken version left it, before the restore overwrote it (spec.backup.beforeRollback).")
  private String backupBeforeRollback;

  @JsonPropertyDescription("Why the pre-rollback backup failed; the rollback went on without it.")
  private String backupBeforeRollbackFailure;

  public String getBackupBeforeRollback() {
    return backupBeforeRollback;
  }

  public void setBackupBeforeRollback(String backupBeforeRollback) {
    this.backupBeforeRollback = backupBeforeRollback;
  }

  public String getBackupBeforeRollbackFailure() {
    return backupBeforeRollbackFailure;
  }

  public void setBackupBeforeRollbackFailure(String backupBeforeRollbackFailure) {
    this.backupBeforeRollbackFailure = backupBeforeRollbackFailure;
  }
}
