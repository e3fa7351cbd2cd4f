package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Observed state of a StagingRelease, written only by Backstop. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class StagingReleaseStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  private Long observedGeneration;

  @JsonPropertyDescription("Where the release is in its lifecycle.")
  private Phase phase;

  @JsonPropertyDescription("The commit spec.source.ref resolves to now.")
  private Revision desired;

  @JsonPropertyDescription("The commit the stack was last applied from.")
  private Revision current;

  @JsonPropertyDescription("The last commit that passed verification; rollbacks go here.")
  private Revision lastKnownGood;

  @JsonPropertyDescription("The deploy or rollback in flight, recorded before it acts so that a restarted process resumes it.")
  private Operation operation;

  @JsonPropertyDescription("Commits that failed and are not deployed again until spec names another commit or a retry is requested.")
  private List<QuarantinedCommit> quarantined = new ArrayList<>();

  @JsonPropertyDescription("Per compose service: container state, health, image and the commit it came from.")
  private List<ServiceStatus> services = new ArrayList<>();

  @JsonPropertyDescription("Services a gradual rollback moved to another commit than current, with that commit;"
      + " empty when every service runs current. A deploy of any commit applies every service again.")
  private List<RolledBackService> rolledBackServices = new ArrayList<>();

  @JsonPropertyDescription(
      "Services whose containers differ from what the running commit renders (changed, missing or extra"
          + " containers, e.g. from a `docker compose` run by hand); empty while a deploy or rollback is in flight.")
  private List<DriftedService> drift = new ArrayList<>();

  public List<DriftedService> getDrift() {
    return drift;
  }

  public void setDrift(List<DriftedService> drift) {
    this.drift = drift == null ? new ArrayList<>() : drift;
  }

  @JsonPropertyDescription("Per health check: passing, consecutive failures, last value and message.")
  private List<CheckStatus> checks = new ArrayList<>();

  @JsonPropertyDescription("The most recent deploys and rollbacks, newest first, bounded.")
  private List<HistoryEntry> history = new ArrayList<>();

  @JsonPropertyDescription("Report of the most recent rollback, in the runbook's terms.")
  private RollbackReport lastRollback;

  @JsonPropertyDescription("Database backups kept in spec.backup.storage, newest first.")
  private List<BackupRecord> backups = new ArrayList<>();

  @JsonPropertyDescription("Annotation values already acted on, so that each new value is one request.")
  private Map<String, String> handledRequests = new LinkedHashMap<>();

  @JsonPropertyDescription("When the git remote was last fetched (RFC 3339).")
  private String lastFetchTime;

  @JsonPropertyDescription("kstatus conditions: Ready (always), Reconciling and Stalled (only while true), Healthy.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("An engine or host fault being retried with backoff, while it lasts.")
  private EngineFaultStatus engineFault;

  @JsonPropertyDescription("How the latest request annotation was answered: carried out or refused, and why.")
  private RequestRecord lastRequest;

  public EngineFaultStatus getEngineFault() {
    return engineFault;
  }

  public void setEngineFault(EngineFaultStatus engineFault) {
    this.engineFault = engineFault;
  }

  public RequestRecord getLastRequest() {
    return lastRequest;
  }

  public void setLastRequest(RequestRecord lastRequest) {
    this.lastRequest = lastRequest;
  }

  @JsonPropertyDescription(
      "Stack variables (spec.compose.env and envFrom) the running containers were applied with: key names and a hash only.")
  private AppliedEnv appliedEnv;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Revision getDesired() {
    return desired;
  }

  public void setDesired(Revision desired) {
    this.desired = desired;
  }

  public Revision getCurrent() {
    return current;
  }

  public void setCurrent(Revision current) {
    this.current = current;
  }

  public Revision getLastKnownGood() {
    return lastKnownGood;
  }

  public void setLastKnownGood(Revision lastKnownGood) {
    this.lastKnownGood = lastKnownGood;
  }

  public Operation getOperation() {
    return operation;
  }

  public void setOperation(Operation operation) {
    this.operation = operation;
  }

  public List<QuarantinedCommit> getQuarantined() {
    return quarantined;
  }

  public void setQuarantined(List<QuarantinedCommit> quarantined) {
    this.quarantined = quarantined;
  }

  public List<RolledBackService> getRolledBackServices() {
    return rolledBackServices;
  }

  public void setRolledBackServices(List<RolledBackService> rolledBackServices) {
    this.rolledBackServices = rolledBackServices;
  }

  public List<ServiceStatus> getServices() {
    return services;
  }

  public void setServices(List<ServiceStatus> services) {
    this.services = services;
  }

  public List<CheckStatus> getChecks() {
    return checks;
  }

  public void setChecks(List<CheckStatus> checks) {
    this.checks = checks;
  }

  public List<HistoryEntry> getHistory() {
    return history;
  }

  public void setHistory(List<HistoryEntry> history) {
    this.history = history;
  }

  public RollbackReport getLastRollback() {
    return lastRollback;
  }

  public void setLastRollback(RollbackReport lastRollback) {
    this.lastRollback = lastRollback;
  }

  public List<BackupRecord> getBackups() {
    return backups;
  }

  public void setBackups(List<BackupRecord> backups) {
    this.backups = backups;
  }

  public Map<String, String> getHandledRequests() {
    return handledRequests;
  }

  public void setHandledRequests(Map<String, String> handledRequests) {
    this.handledRequests = handledRequests;
  }

  public String getLastFetchTime() {
    return lastFetchTime;
  }

  public void setLastFetchTime(String lastFetchTime) {
    this.lastFetchTime = lastFetchTime;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public AppliedEnv getAppliedEnv() {
    return appliedEnv;
  }

  public void setAppliedEnv(AppliedEnv appliedEnv) {
    this.appliedEnv = appliedEnv;
  }

  /** A deep copy: changing it leaves this one as it was. */
  public StagingReleaseStatus copy() {
    return DeepCopy.of(this, StagingReleaseStatus.class);
  }
}
