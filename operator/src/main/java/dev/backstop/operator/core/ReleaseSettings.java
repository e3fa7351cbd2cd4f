package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A spec with its defaults filled in and every field validated, so that nothing downstream parses
 * strings or guesses defaults.
 *
 * @param backup spec.backup validated, or null when no backups are configured
 * @param images spec.compose's image handling (retention, pull policy)
 */
public record ReleaseSettings(
    String name,
    String url,
    String ref,
    Duration pollInterval,
    String projectName,
    String composePath,
    List<String> composeFiles,
    List<String> envFiles,
    String dockerHost,
    Duration progressDeadline,
    Duration interval,
    List<Check> checks,
    boolean automaticRollback,
    boolean suspend,
    BackupSettings backup,
    Duration stableFor,
    ImageSettings images) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(2);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  // Compose project names: lowercase letters, digits, dashes and underscores, starting alnum.
  private static final Pattern PROJECT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** The timeout of a check that names none: its interval, but never more than this. */
  public static final Duration DEFAULT_TIMEOUT_CAP = Duration.ofSeconds(10);

  /** The errorRate window when a check names none. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

  /**
   * One health check with its defaults applied. Fields that do not apply to its type are null.
   *
   * @param interval how often it runs (its own, or spec.health.interval)
   * @param timeout how long one probe may take
   * @param statusFrom http: lowest passing status code
   * @param statusTo http: highest passing status code
   * @param source responseTime, errorRate: the http check whose samples are judged
   * @param latencyLimit responseTime: slower than this fails; exactly this passes
   * @param rateLimit errorRate: a higher share of failures (0..1) fails; exactly this passes
   * @param window errorRate over samples: how far back samples count
   * @param threshold prometheus: the number compared with the query's value
   * @param minimum serviceHealth: a lower share (0..1) of healthy services fails
   * @param error why the definition is unusable, for people; null when the check is usable. A
   *     check with an error is reported, never probed and never acted on.
   */
  public record Check(
      String name,
      CheckType type,
      List<String> services,
      int consecutiveFailures,
      Duration interval,
      Duration timeout,
      CheckAction action,
      String url,
      String method,
      int statusFrom,
      int statusTo,
      Pattern bodyMatch,
      String source,
      Duration latencyLimit,
      double rateLimit,
      Duration window,
      String query,
      String operator,
      double threshold,
      double minimum,
      String service,
      List<String> command,
      String error) {

    /** A serviceHealth-style check with every other field defaulted (tests, the default check). */
    public Check(String name, CheckType type, List<String> services, int consecutiveFailures) {
      this(name, type, services, consecutiveFailures, DEFAULT_INTERVAL, DEFAULT_INTERVAL, CheckAction.ROLLBACK,
          null, null, 0, 0, null, null, null, 0, null, null, null, 0, 1.0, null, List.of(), null);
    }

    /** Whether this check's trip rolls the release back (as opposed to alerting only). */
    public boolean rollsBack() {
      return action == CheckAction.ROLLBACK;
    }

    /** Whether this check is judged from another (http) check's samples rather than probed itself. */
    public boolean derived() {
      return source != null && (type == CheckType.RESPONSE_TIME || type == CheckType.ERROR_RATE);
    }
  }

  /** The compose project a release runs as: spec.compose.projectName, else the release's name. */
  public static String projectName(String name, ComposeSpec compose) {
    return compose != null && compose.getProjectName() != null ? compose.getProjectName() : name;
  }

  /** Validates {@code spec} and fills in defaults. */
  public static ReleaseSettings from(String name, StagingReleaseSpec spec)
      throws InvalidSpecException {
    List<String> problems = new ArrayList<>();
    if (spec == null || spec.getSource() == null) {
      throw new InvalidSpecException(List.of("spec.source is required (url and ref)"));
    }
    String url = spec.getSource().getUrl();
    String ref = spec.getSource().getRef();
    if (url == null || url.isBlank()) {
      problems.add("spec.source.url is required");
    }
    if (ref == null || ref.isBlank()) {
      problems.add("spec.source.ref is required");
    }
    Duration poll =
        duration(problems, "spec.source.pollInterval", spec.getSource().getPollInterval(), DEFAULT_POLL_INTERVAL);

    ComposeSpec compose = Optional.ofNullable(spec.getCompose()).orElseGet(ComposeSpec::new);
    String project = projectName(name, compose);
    if (project == null || !PROJECT_NAME.matcher(project).matches()) {
      problems.add(
          "spec.compose.projectName '" + project
              + "' is not a valid compose project name: use lowercase letters, digits, '-' and '_'");
    }
    ImageSettings images = ImageSettings.parse(compose, problems);
    String path = Optional.ofNullable(compose.getPath()).orElse(".");
    for (String p : concat(List.of(path), compose.getFiles(), compose.getEnvFiles())) {
      if (p.startsWith("/") || List.of(p.split("/")).contains("..")) {
        problems.add("compose path '" + p + "' must be relative to the repository and stay inside it");
      }
    }

    HealthSpec health = Optional.ofNullable(spec.getHealth()).orElseGet(HealthSpec::new);
    Duration deadline =
        duration(problems, "spec.health.progressDeadline", health.getProgressDeadline(), DEFAULT_PROGRESS_DEADLINE);
    Duration interval =
        duration(problems, "spec.health.interval", health.getInterval(), DEFAULT_INTERVAL);
    List<Check> checks = checks(problems, health.getChecks(), interval);
    Duration stableFor = stableFor(problems, health.getStableFor(), deadline);

    boolean automatic =
        spec.getRollback() == null || !Boolean.FALSE.equals(spec.getRollback().getAutomatic());
    BackupSettings backup = BackupSettings.from(problems, spec.getBackup());
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    return new ReleaseSettings(
        name,
        url,
        ref.trim(),
        poll,
        project,
        path,
        nullToEmpty(compose.getFiles()),
        nullToEmpty(compose.getEnvFiles()),
        compose.getDockerHost(),
        deadline,
        interval,
        checks,
        automatic,
        Boolean.TRUE.equals(spec.getSuspend()),
        backup,
        stableFor,
        images);
  }

  /**
   * spec.health.stableFor: 0 is allowed (and the default). It must leave room inside the progress
   * deadline, or no deploy could ever be verified and every one would be rolled back.
   */
  private static Duration stableFor(List<String> problems, String text, Duration deadline) {
    if (text == null) {
      return Duration.ZERO;
    }
    try {
      Duration d = Durations.parse("spec.health.stableFor", text);
      if (d.compareTo(deadline) >= 0) {
        problems.add("spec.health.stableFor " + text.trim() + " must be shorter than progressDeadline "
            + Durations.format(deadline) + ", or no deploy could pass verification in time");
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return Duration.ZERO;
    }
  }

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
  private static final Set<String> OPERATORS = Set.of("<", "<=", ">", ">=", "==", "!=");
  private static final Pattern STATUS = Pattern.compile("([1-5]\\d\\d)(?:-([1-5]\\d\\d))?");

  private static List<Check> checks(List<String> problems, List<HealthCheckSpec> specs, Duration interval) {
    if (specs == null || specs.isEmpty()) {
      Check services = new Check("services", CheckType.SERVICE_HEALTH, List.of(), 1);
      return List.of(withInterval(services, interval));
    }
    List<Check> checks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      HealthCheckSpec c = specs.get(i);
      String where = "spec.health.checks[" + i + "]";
      if (c.getName() == null || c.getName().isBlank()) {
        problems.add(where + ".name is required");
        continue;
      }
      if (!names.add(c.getName())) {
        problems.add(where + ".name '" + c.getName() + "' is used twice; check names must be unique");
      }
      if (c.getType() == null) {
        problems.add(where + ".type is required (serviceHealth, http, responseTime, errorRate, exec or prometheus)");
        continue;
      }
      checks.add(check(c, where, interval, specs));
    }
    return List.copyOf(checks);
  }

  /**
   * One check. Problems with its own fields do not invalidate the spec: the check carries them as
   * its error, so the other checks keep working and nothing is rolled back because of it.
   */
  private static Check check(HealthCheckSpec c, String where, Duration defaultInterval, List<HealthCheckSpec> all) {
    List<String> errors = new ArrayList<>();
    int failures = c.getConsecutiveFailures() == null ? 1 : c.getConsecutiveFailures();
    if (failures < 1) {
      errors.add(where + ".consecutiveFailures must be 1 or more, not " + failures);
    }
    Duration interval = duration(errors, where + ".interval", c.getInterval(), defaultInterval);
    Duration cap = interval.compareTo(DEFAULT_TIMEOUT_CAP) < 0 ? interval : DEFAULT_TIMEOUT_CAP;
    Duration timeout = duration(errors, where + ".timeout", c.getTimeout(), cap);
    CheckAction action = c.getAction() == null ? CheckAction.ROLLBACK : c.getAction();
    String url = null;
    String method = null;
    int statusFrom = 0;
    int statusTo = 0;
    Pattern body = null;
    String source = null;
    Duration latency = null;
    double rate = 0;
    Duration window = null;
    String query = null;
    String operator = null;
    double threshold = 0;
    double minimum = 1.0;
    String service = null;
    List<String> command = List.of();
    switch (c.getType()) {
      case HTTP -> {
        url = url(errors, where + ".url", c.getUrl());
        method = c.getMethod() == null ? "GET" : c.getMethod().trim().toUpperCase(java.util.Locale.ROOT);
        if (!METHODS.contains(method)) {
          errors.add(where + ".method '" + c.getMethod() + "' is not one of " + new java.util.TreeSet<>(METHODS));
        }
        String expected = c.getExpectedStatus() == null ? "200-399" : c.getExpectedStatus().trim();
        java.util.regex.Matcher m = STATUS.matcher(expected);
        if (m.matches()) {
          statusFrom = Integer.parseInt(m.group(1));
          statusTo = m.group(2) == null ? statusFrom : Integer.parseInt(m.group(2));
          if (statusTo < statusFrom) {
            errors.add(where + ".expectedStatus '" + expected + "' is an empty range; write the lower code first");
          }
        } else {
          errors.add(where + ".expectedStatus '" + expected + "' is not a status code or range such as 200 or 200-399");
        }
        if (c.getBodyMatch() != null) {
          try {
            body = Pattern.compile(c.getBodyMatch());
          } catch (java.util.regex.PatternSyntaxException e) {
            errors.add(where + ".bodyMatch is not a valid regular expression: " + e.getDescription());
          }
        }
      }
      case RESPONSE_TIME -> {
        source = httpCheck(errors, where, c.getCheck(), all);
        if (c.getLimit() == null) {
          errors.add(where + ".limit is required for responseTime, e.g. 500ms");
        } else {
          latency = duration(errors, where + ".limit", c.getLimit(), null);
        }
      }
      case ERROR_RATE -> {
        if (c.getQuery() != null) {
          url = url(errors, where + ".url", c.getUrl());
          query = c.getQuery();
        } else {
          source = httpCheck(errors, where, c.getCheck(), all);
          window = duration(errors, where + ".window", c.getWindow(), DEFAULT_WINDOW);
        }
        rate = percent(errors, where + ".limit", c.getLimit(), "errorRate", Double.NaN);
      }
      case SERVICE_HEALTH -> minimum = percent(errors, where + ".minimum", c.getMinimum(), null, 1.0);
      case EXEC -> {
        service = c.getService();
        if (service == null || service.isBlank()) {
          errors.add(where + ".service is required for exec: the compose service to run the command in");
        }
        command = nullToEmpty(c.getCommand());
        if (command.isEmpty()) {
          errors.add(where + ".command is required for exec, e.g. [redis-cli, ping]");
        }
      }
      case PROMETHEUS -> {
        url = url(errors, where + ".url", c.getUrl());
        query = c.getQuery();
        if (query == null || query.isBlank()) {
          errors.add(where + ".query is required for prometheus, e.g. up{job=\"app\"}");
        }
        operator = c.getOperator() == null ? null : c.getOperator().trim();
        if (operator == null || !OPERATORS.contains(operator)) {
          errors.add(where + ".operator '" + c.getOperator() + "' is not one of <, <=, >, >=, ==, !=");
        }
        try {
          threshold = Double.parseDouble(c.getThreshold() == null ? "" : c.getThreshold().trim());
        } catch (NumberFormatException e) {
          errors.add(where + ".threshold '" + c.getThreshold() + "' is not a number");
        }
      }
    }
    return new Check(c.getName(), c.getType(), nullToEmpty(c.getServices()), Math.max(failures, 1), interval, timeout,
        action, url, method, statusFrom, statusTo, body, source, latency, rate, window, query, operator, threshold,
        minimum, service, command, errors.isEmpty() ? null : String.join("; ", errors));
  }

  private static Check withInterval(Check c, Duration interval) {
    Duration timeout = interval.compareTo(DEFAULT_TIMEOUT_CAP) < 0 ? interval : DEFAULT_TIMEOUT_CAP;
    return new Check(c.name(), c.type(), c.services(), c.consecutiveFailures(), interval, timeout, c.action(), c.url(),
        c.method(), c.statusFrom(), c.statusTo(), c.bodyMatch(), c.source(), c.latencyLimit(), c.rateLimit(),
        c.window(), c.query(), c.operator(), c.threshold(), c.minimum(), c.service(), c.command(), c.error());
  }

  private static String url(List<String> errors, String field, String text) {
    if (text == null || text.isBlank()) {
      errors.add(field + " is required, e.g. http://127.0.0.1:8080/health");
      return null;
    }
    try {
      java.net.URI uri = new java.net.URI(text.trim());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        errors.add(field + " '" + text + "' is not an http(s) URL with a host, e.g. http://127.0.0.1:8080/health");
        return null;
      }
      return uri.toString();
    } catch (java.net.URISyntaxException e) {
      errors.add(field + " '" + text + "' is not a URL: " + e.getReason());
      return null;
    }
  }

  private static String httpCheck(List<String> errors, String where, String name, List<HealthCheckSpec> all) {
    if (name == null || name.isBlank()) {
      errors.add(where + ".check is required: the name of the http check whose samples are judged");
      return null;
    }
    boolean found = all.stream().anyMatch(o -> name.equals(o.getName()) && o.getType() == CheckType.HTTP);
    if (!found) {
      errors.add(where + ".check '" + name + "' names no http check of this release");
      return null;
    }
    return name;
  }

  private static double percent(List<String> errors, String field, String text, String requiredFor, double fallback) {
    if (text == null) {
      if (requiredFor != null) {
        errors.add(field + " is required for " + requiredFor + ", e.g. 5%");
      }
      return fallback;
    }
    try {
      return Percentages.parse(field, text);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return fallback;
    }
  }

  private static Duration duration(
      List<String> problems, String field, String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      Duration d = Durations.parse(field, text);
      if (d.isZero()) {
        problems.add(field + " must be longer than 0");
        return fallback;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return fallback;
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> l : lists) {
      if (l != null) {
        all.addAll(l);
      }
    }
    return all;
  }

  private static List<String> nullToEmpty(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  public Check check(String checkName) {
    return checks.stream().filter(c -> c.name().equals(checkName)).findFirst().orElse(null);
  }
}
