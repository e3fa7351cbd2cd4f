package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.Operation;
import dev.backstop.operator.api.v1alpha1.RolledBackService;
import dev.backstop.operator.api.v1alpha1.RollbackScope;
import dev.backstop.operator.api.v1alpha1.ServiceStatus;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.ResponseTimeCheck;
import dev.backstop.operator.core.checks.SampleErrorRateCheck;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gradual rollback (spec.rollback.scope Service, `backstop rollback NAME --service S`): which
 * services a trip names, and which services run another commit than the rest of the release.
 */
public final class ServiceRollbacks {

  private ServiceRollbacks() {}

  /**
   * What a rollback moves back.
   *
   * @param services the only services to roll back; empty rolls back the whole release
   * @param note why, for the rollback's reason; null when there is nothing to say (scope Release)
   */
  public record Scope(List<String> services, String note) {
    /** The whole release, as spec.rollback.scope Release does. */
    public static final Scope WHOLE = new Scope(List.of(), null);

    public Scope {
      services = List.copyOf(services);
    }

    /** Whether only some services are rolled back. */
    public boolean partial() {
      return !services.isEmpty();
    }
  }

  /**
   * The scope of an automatic rollback for the tripped rollback-action checks: the services they
   * name when spec.rollback.scope is Service and each of them names one, else the whole release
   * with the reason why.
   */
  public static Scope of(ReleaseSettings settings, StagingReleaseStatus s, Observation obs) {
    if (settings.rollbackScope() != RollbackScope.Service) {
      return Scope.WHOLE;
    }
    if (!s.getRolledBackServices().isEmpty()) {
      // Mixed commits that trip again are no state to refine further: go back to one commit.
      return new Scope(List.of(), "spec.rollback.scope is Service, but the stack already runs services "
          + names(s.getRolledBackServices()) + " rolled back: rolling back the whole release");
    }
    Set<String> services = new LinkedHashSet<>();
    List<String> unnamed = new ArrayList<>();
    for (String name : CheckVerdicts.rollbackTrips(s.getChecks(), settings)) {
      List<String> named = servicesOf(settings.check(name), settings, obs);
      if (named.isEmpty()) {
        unnamed.add(name);
      }
      services.addAll(named);
    }
    if (!unnamed.isEmpty()) {
      return new Scope(List.of(), "spec.rollback.scope is Service, but check" + (unnamed.size() == 1 ? " " : "s ")
          + String.join(", ", unnamed) + " name" + (unnamed.size() == 1 ? "s" : "")
          + " no service (set `service` on http, exec and prometheus checks): rolling back the whole release");
    }
    if (services.isEmpty()) {
      return Scope.WHOLE;
    }
    return new Scope(new ArrayList<>(services), "rolling back only " + serviceWords(services)
        + " (spec.rollback.scope Service); the other services stay");
  }

  /**
   * The services a tripped check blames: a serviceHealth check the ones it found failing, others
   * their `service` (responseTime and errorRate fall back to their http check's); empty when none.
   */
  static List<String> servicesOf(Check check, ReleaseSettings settings, Observation obs) {
    if (check == null) {
      return List.of();
    }
    if (check instanceof ServiceHealthCheck) {
      return obs.checks().stream()
          .filter(r -> r.check().equals(check.name()))
          .flatMap(r -> r.failingServices().stream())
          .distinct()
          .toList();
    }
    String service = check.basics().service();
    if (service == null) {
      String source = check instanceof ResponseTimeCheck rt ? rt.source()
          : check instanceof SampleErrorRateCheck er ? er.source() : null;
      Check http = source == null ? null : settings.check(source);
      service = http == null ? null : http.basics().service();
    }
    return service == null ? List.of() : List.of(service);
  }

  /**
   * The services a `backstop.dev/rollback-services` value names: {@code api,web}, optionally followed
   * by {@code ;} and anything that only makes the value new. Blank names are dropped. Local mode
   * joins the manifest's annotation and the CLI's request as {@code annotation|request}: the part
   * that changed since {@code previous} (the value handled before, or null) is the request.
   */
  public static List<String> requested(String value, String previous) {
    if (value == null) {
      return List.of();
    }
    String[] parts = value.split("\\|", -1);
    String[] before = previous == null ? new String[0] : previous.split("\\|", -1);
    String request = parts[parts.length - 1];
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isEmpty() && (before.length != parts.length || !parts[i].equals(before[i]))) {
        request = parts[i];
        break;
      }
    }
    return servicesIn(request);
  }

  private static List<String> servicesIn(String value) {
    int end = value.indexOf(';');
    String list = end < 0 ? value : value.substring(0, end);
    Set<String> services = new LinkedHashSet<>();
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        services.add(part.strip());
      }
    }
    return new ArrayList<>(services);
  }

  /** Why a request to roll back {@code services} cannot be carried out, or null when it can. */
  public static String refusal(List<String> services, StagingReleaseStatus s) {
    if (services.isEmpty()) {
      return "the request names no service; name them as backstop.dev/rollback-services: api,web";
    }
    if (s.getCurrent() == null) {
      return "nothing has been deployed yet, so there is no service to roll back";
    }
    List<String> running = s.getServices().stream().map(ServiceStatus::getName).toList();
    List<String> unknown = services.stream().filter(x -> !running.contains(x)).toList();
    if (!unknown.isEmpty()) {
      return "the release runs no service " + String.join(", ", unknown) + " (it runs "
          + (running.isEmpty() ? "none" : String.join(", ", running)) + ")";
    }
    return null;
  }

  /**
   * Records what an apply that touched the stack put where: a whole apply puts every service on its
   * target again, a gradual one puts its services on the target, each with the operation's reason.
   */
  public static void applied(StagingReleaseStatus s, Action.Apply apply, Operation op) {
    if (apply.services().isEmpty()) {
      s.getRolledBackServices().clear();
      return;
    }
    TreeMap<String, RolledBackService> byName = new TreeMap<>();
    s.getRolledBackServices().forEach(r -> byName.put(r.getName(), r));
    for (String service : apply.services()) {
      RolledBackService r = new RolledBackService();
      r.setName(service);
      r.setRevision(apply.target().copy());
      r.setReason(op == null ? null : op.getReason());
      byName.put(service, r);
    }
    s.setRolledBackServices(new ArrayList<>(byName.values()));
  }

  /** Whether some services run another commit than the rest of the release. */
  public static boolean partial(StagingReleaseStatus s) {
    return !s.getRolledBackServices().isEmpty();
  }

  /** Which service runs which commit, for conditions and events: "api on v1 (1111111); the rest on v2 (2222222)". */
  public static String describe(StagingReleaseStatus s) {
    TreeMap<String, List<String>> byRevision = new TreeMap<>();
    for (RolledBackService r : s.getRolledBackServices()) {
      byRevision.computeIfAbsent(Conditions.describe(r.getRevision()), k -> new ArrayList<>()).add(r.getName());
    }
    List<String> parts = new ArrayList<>();
    byRevision.forEach((revision, names) -> parts.add(serviceWords(names) + " on " + revision));
    return String.join("; ", parts) + "; the rest on " + Conditions.describe(s.getCurrent());
  }

  /** The services an operation applies, for "rolling back api to v1": empty for a whole apply. */
  static String operationServices(Operation op) {
    return op.getServices() == null || op.getServices().isEmpty() ? "" : serviceWords(op.getServices()) + " ";
  }

  private static String serviceWords(java.util.Collection<String> services) {
    return (services.size() == 1 ? "service " : "services ") + String.join(", ", services);
  }

  private static String names(List<RolledBackService> services) {
    return String.join(", ", services.stream().map(RolledBackService::getName).toList());
  }
}
