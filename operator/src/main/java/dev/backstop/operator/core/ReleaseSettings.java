package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.HealthSpec;
import dev.backstop.operator.api.v1alpha1.RollbackScope;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.CheckBasics;
import dev.backstop.operator.core.checks.CheckDefaults;
import dev.backstop.operator.core.checks.CheckFields;
import dev.backstop.operator.core.checks.ServiceHealthCheck;
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
 * @param rollbackScope spec.rollback.scope: whole release (default) or only the failing services
 * @param selfHeal spec.compose.selfHeal: re-apply the running commit when its containers drift
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
    ImageSettings images,
    RollbackScope rollbackScope,
    boolean selfHeal) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(2);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  /** No repository is polled more often than this: every poll is a fetch from someone's server. */
  public static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(10);

  static final int MAX_PROJECT_NAME = 63;
  // Compose project names: lowercase letters, digits, dashes and underscores, starting alnum.
  private static final Pattern PROJECT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** The compose project a release runs as: spec.compose.projectName, else the release's name. */
  public static String projectName(String name, ComposeSpec compose) {
    return compose != null && compose.getProjectName() != null ? compose.getProjectName() : name;
  }

  /** spec.compose.envFile (validated by {@link #from}), or null: where stack variables are written. */
  public static String envFile(StagingReleaseSpec spec) {
    return spec == null || spec.getCompose() == null ? null : spec.getCompose().getEnvFile();
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
    poll = atLeast(problems, "spec.source.pollInterval", poll, MIN_POLL_INTERVAL,
        "every poll is a fetch from the git server");
    SourceRules.check(problems, url, ref);

    ComposeSpec compose = Optional.ofNullable(spec.getCompose()).orElseGet(ComposeSpec::new);
    String project = projectName(name, compose);
    if (project != null && project.length() > MAX_PROJECT_NAME) {
      problems.add("spec.compose.projectName is " + project.length() + " characters long; use at most "
          + MAX_PROJECT_NAME + " (it prefixes every container and network name)");
    } else if (project == null || !PROJECT_NAME.matcher(project).matches()) {
      problems.add(
          "spec.compose.projectName '" + project
              + "' is not a valid compose project name: use lowercase letters, digits, '-' and '_'");
    }
    ImageSettings images = ImageSettings.parse(compose, problems);
    String path = Optional.ofNullable(compose.getPath()).orElse(".");
    nullItems(problems, "spec.compose.files", compose.getFiles());
    nullItems(problems, "spec.compose.envFiles", compose.getEnvFiles());
    List<String> envFile = compose.getEnvFile() == null ? List.of() : List.of(compose.getEnvFile());
    StackEnv.validate(compose, problems);
    for (String p : concat(List.of(path), compose.getFiles(), compose.getEnvFiles(), envFile)) {
      if (p == null) {
        continue;
      }
      if (p.startsWith("/") || List.of(p.split("/")).contains("..")) {
        problems.add("compose path '" + p + "' must be relative to the repository and stay inside it");
      }
    }

    HealthSpec health = Optional.ofNullable(spec.getHealth()).orElseGet(HealthSpec::new);
    Duration deadline =
        duration(problems, "spec.health.progressDeadline", health.getProgressDeadline(), DEFAULT_PROGRESS_DEADLINE);
    Duration interval =
        duration(problems, "spec.health.interval", health.getInterval(), DEFAULT_INTERVAL);
    interval = atLeast(problems, "spec.health.interval", interval, CheckBasics.MIN_INTERVAL,
        "probes that often would load the stack they watch");
    List<Check> checks = checks(problems, health.getChecks(), interval);
    Duration stableFor = stableFor(problems, health.getStableFor(), deadline);

    boolean automatic =
        spec.getRollback() == null || !Boolean.FALSE.equals(spec.getRollback().getAutomatic());
    RollbackScope scope = spec.getRollback() == null || spec.getRollback().getScope() == null
        ? RollbackScope.Release
        : spec.getRollback().getScope();
    BackupSettings backup = BackupSettings.from(problems, spec.getBackup());
    NotifyRules.check(problems, spec);
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
        images,
        scope,
        Boolean.TRUE.equals(compose.getSelfHeal()));
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

  private static List<Check> checks(List<String> problems, List<HealthCheckSpec> specs, Duration interval) {
    if (specs == null || specs.isEmpty()) {
      return List.of(ServiceHealthCheck.everyService(interval));
    }
    Set<String> httpChecks = new HashSet<>();
    for (HealthCheckSpec c : specs) {
      if (c != null && c.getName() != null && c.getType() == CheckType.HTTP) {
        httpChecks.add(c.getName());
      }
    }
    CheckDefaults defaults = new CheckDefaults(interval, httpChecks);
    List<Check> checks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      HealthCheckSpec c = specs.get(i);
      String where = "spec.health.checks[" + i + "]";
      if (c == null) {
        problems.add(where + " is empty (null); remove it or give it a name and a type");
        continue;
      }
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
      checks.add(Check.from(c, where, defaults));
    }
    return List.copyOf(checks);
  }

  private static Duration duration(
      List<String> problems, String field, String text, Duration fallback) {
    return CheckFields.duration(problems, field, text, fallback);
  }

  /** {@code value}, or {@code floor} after recording that it is below it. */
  private static Duration atLeast(List<String> problems, String field, Duration value, Duration floor, String why) {
    if (value.compareTo(floor) >= 0) {
      return value;
    }
    problems.add(field + " " + Durations.format(value) + " is below the floor of " + Durations.format(floor)
        + ": " + why);
    return floor;
  }

  private static void nullItems(List<String> problems, String field, List<String> list) {
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null || list.get(i).isBlank()) {
        problems.add(field + "[" + i + "] is empty; name a file relative to spec.compose.path");
      }
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
    return list == null ? List.of() : list.stream().filter(java.util.Objects::nonNull).toList();
  }

  /** The check named {@code checkName}, or null. */
  public Check check(String checkName) {
    return checks.stream().filter(c -> c.name().equals(checkName)).findFirst().orElse(null);
  }
}
