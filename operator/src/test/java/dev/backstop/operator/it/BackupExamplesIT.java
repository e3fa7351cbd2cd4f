package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.backstop.operator.api.v1alpha1.BackupDrillMode;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.backup.BackupFiles;
import dev.backstop.operator.cli.BackstopCommand;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.state.StateLayout;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.BackupSettings;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.api.v1alpha1.OperationStage;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backup example of the README, run as written against a real database: v1 creates data,
 * v2's migration deletes and changes it and fails health, and the automatic rollback restores
 * exactly what the dump held (one story per preset, plus the custom command pair).
 */
class BackupExamplesIT {

  private static final Path README = Path.of("../README.md");
  private static final Pattern MARKED = Pattern.compile(
      "<!-- backup example: (\\w+)(?: (\\S+) (\\S+))? -->\\n```yaml\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

  private static final String FROM_README = "README backup example";

  /**
   * One spec.backup block (origin says where from: the README, or a test of its own): the
   * database it is for, the names its compose stack uses, its YAML.
   */
  record Example(String origin, int index, DbFlavor flavor, String database, String user, String yaml) {
    /** The README's first example also gets the drill and CLI checks that need to run only once. */
    boolean firstOfReadme() {
      return origin.equals(FROM_README) && index == 1;
    }

    @Override
    public String toString() {
      return origin + " " + index + " (" + flavor.name().toLowerCase(Locale.ROOT) + ")";
    }
  }

  static List<Example> examples() throws IOException {
    String text = Files.readString(README);
    List<Example> found = new ArrayList<>();
    Matcher m = MARKED.matcher(text);
    while (m.find()) {
      found.add(new Example(FROM_README, found.size() + 1, DbFlavor.valueOf(m.group(1).toUpperCase(Locale.ROOT)),
          m.group(2), m.group(3), m.group(4)));
    }
    return found;
  }

  @Test
  void everyBackupBlockOfTheReadmeAndExamplesIsOneThatRuns() throws IOException {
    String text = Files.readString(README);
    long backupBlocks = YAML_BLOCK.matcher(text).results().filter(r -> r.group(1).contains("backup:")).count();
    assertThat(examples()).hasSize((int) backupBlocks).extracting(Example::flavor)
        .contains(DbFlavor.POSTGRES, DbFlavor.MARIADB, DbFlavor.REDIS);
    try (Stream<Path> files = Files.walk(Path.of("../examples"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .filter(f -> read(f).contains("backup:")))
          .as("examples/ with a spec.backup must be added to this test").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void failedMigrationIsRolledBackAndTheDatabaseHoldsExactlyTheDump(Example example, @TempDir Path tmp)
      throws Exception {
    story(example, tmp);
  }

  /**
   * The whole story for one example: v1 healthy and backed up (and drilled, if asked), v2's failed
   * migration rolled back with the restore, the database exactly as the dump held it. With
   * spec.backup.passwordSecretRef also: blocked until the Secret exists, a wrong password refused
   * by the database itself, and the password in no status, event, report or state file.
   */
  static void story(Example example, Path tmp) throws Exception {
    JsonNode node = new YAMLMapper().readTree(example.yaml()).get("backup");
    BackupSpec spec = new ObjectMapper().treeToValue(node, BackupSpec.class);
    // An s3:// example runs against a real S3 server on loopback: its endpoint replaces the README's.
    boolean remote = spec.getStorage() != null && spec.getStorage().startsWith("s3://");
    String[] location = remote ? spec.getStorage().substring("s3://".length()).split("/", 2) : null;
    try (S3Server s3 = remote ? S3Server.start(tmp, location[0]) : null;
        DbStack stack = new DbStack(tmp, example.flavor(), spec, example.database(), example.user())) {
      if (remote) {
        spec.getS3().setEndpoint(s3.endpoint);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        stack.access = dev.backstop.operator.engine.Access.of(null,
            s3.secrets(java.util.Base64.getEncoder().encodeToString(key)));
      }
      if (spec.getPasswordSecretRef() != null) {
        passwordFromSecret(stack, example, tmp);
      }
      stack.reconcileUntil(Duration.ofSeconds(180), () -> stack.status != null && stack.status.getPhase() == Phase.Healthy);
      String v1 = stack.snapshot();
      assertThat(v1).isEqualTo(expectedV1(example.flavor()));

      // What v2 left behind, seen at the moment the restore is recorded and not yet run.
      AtomicReference<String> broken = new AtomicReference<>();
      stack.onRecord = s -> {
        if (broken.get() == null && s.getOperation() != null && s.getOperation().getStage() == OperationStage.Restoring) {
          try {
            broken.set(stack.snapshot());
          } catch (Exception e) {
            broken.set("snapshot failed: " + e.getMessage());
          }
        }
      };
      stack.deploy("v2");
      stack.reconcileUntil(Duration.ofSeconds(180), () -> stack.status.getPhase() == Phase.RolledBack
          || stack.status.getPhase() == Phase.Failed);

      assertThat(stack.status.getPhase()).as("history: %s", stack.status.getHistory().get(0).getReason())
          .isEqualTo(Phase.RolledBack);
      assertThat(stack.status.getHistory()).extracting(h -> h.getAction() + ":" + h.getResult())
          .containsExactly("Rollback:Succeeded", "Deploy:Failed", "Deploy:Succeeded");
      assertThat(stack.status.getHistory().get(0).getRestore()).isEqualTo(Result.Succeeded);
      assertThat(stack.status.getCurrent().getCommit()).isEqualTo(stack.commit("v1"));
      assertThat(broken.get()).as("v2 did migrate, so the restore is what brings v1's data back")
          .isNotEqualTo(v1).contains("audit");
      assertThat(stack.snapshot()).isEqualTo(v1);
      if (example.flavor() == DbFlavor.REDIS) {
        stack.restartDatabase();
        assertThat(stack.snapshot()).as("after a restart of the server (AOF rewritten)").isEqualTo(v1);
      }
      BackupRecord backup = stack.status.getBackups().stream()
          .filter(b -> b.getName().equals(stack.status.getHistory().get(0).getBackup())).findFirst().orElseThrow();
      assertThat(backup.getCommit()).isEqualTo(stack.commit("v1"));
      if (remote) {
        try (var store = s3.store(location[0], location.length > 1 ? location[1] : "")) {
          assertThat(store.list()).as("the backups are in the bucket").contains(backup.getName());
          if (spec.getEncryption() != null) {
            try (java.io.InputStream in = store.open(backup.getName())) {
              assertThat(new String(in.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII))
                  .as("stored encrypted").isEqualTo("BKSE");
            }
          }
        }
        assertThat(stack.dir.resolve("state").resolve("backups")).as("nothing stored locally").doesNotExist();
      }
      if (Boolean.TRUE.equals(spec.getBeforeRollback())) {
        brokenDataWasKept(stack, example);
      }
      if (spec.getDrill() == BackupDrillMode.afterBackup) {
        assertThat(backup.getDrill()).as("drill of %s", backup.getName()).isNotNull();
        assertThat(backup.getDrill().getResult()).isEqualTo(Result.Succeeded);
        assertThat(backup.getDrill().getMessage()).contains(expectedDrill(example.flavor()));
      }
      assertThat(DemoRepo.run(List.of("docker", "ps", "-aq", "--filter",
          "label=" + DockerDatabaseBackups.DRILL_LABEL + "=" + stack.project + "/" + stack.service), tmp))
          .as("no drill container is left").isBlank();
      if (example.firstOfReadme()) {
        drillsThatMustFail(stack, spec, backup, tmp);
        cliDrill(stack, backup, tmp);
      }
      if (spec.getPasswordSecretRef() != null) {
        wrongPasswordIsRefused(stack, backup, tmp);
        assertThat(stack.snapshot()).as("untouched by the refused restore").isEqualTo(v1);
      }
      String recorded = new ObjectMapper().writeValueAsString(stack.status) + stack.events;
      assertThat(recorded).doesNotContain(DbFlavor.PASSWORD);
      var report = dev.backstop.operator.notify.ReportBook.find(dev.backstop.operator.notify.ReportBook.update(
          List.of(), null, "shop", stack.status, 10), null).orElseThrow();
      assertThat(dev.backstop.operator.notify.ReportText.markdown(report)).as("the rollback report")
          .contains(backup.getName()).doesNotContain(DbFlavor.PASSWORD);
      // Checkouts are the repository's own files: this test's compose file names the password.
      Path state = stack.dir.resolve("state");
      try (Stream<Path> files = Files.walk(state)) {
        assertThat(files.filter(Files::isRegularFile).filter(f -> !f.startsWith(state.resolve("checkouts"))))
            .as("state files (backups included)")
            .noneMatch(f -> containsBytes(f, DbFlavor.PASSWORD));
      }
    }
  }

  private static boolean containsBytes(Path file, String text) {
    try {
      return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /**
   * spec.backup.passwordSecretRef as local mode reads it: first missing (the release is blocked
   * and nothing runs), then the password in secrets/NAME.env. The preset then reads only the
   * exec's BACKSTOP_DB_PASSWORD, so the story passing proves the Secret's password got there.
   */
  private static void passwordFromSecret(DbStack stack, Example example, Path tmp) throws Exception {
    String name = stack.release.getSpec().getBackup().getPasswordSecretRef().getName();
    Path manifests = tmp.resolve("manifests");
    var sources = new dev.backstop.operator.local.LocalEnvSources(manifests);
    var missing = sources.resolve(stack.release);
    assertThat(missing.problem()).isNotNull();
    assertThat(missing.problem().reason()).isEqualTo(dev.backstop.operator.api.v1alpha1.Reason.SecretNotFound);
    assertThat(missing.problem().message()).contains("spec.backup.passwordSecretRef");
    stack.access = missing;
    stack.reconcileOnce();
    assertThat(stack.status).as("the block is reported").isNotNull();
    assertThat(new ObjectMapper().writeValueAsString(stack.status))
        .contains("SecretNotFound", "spec.backup.passwordSecretRef");
    assertThat(DemoRepo.run(List.of("docker", "ps", "-aq", "--filter",
        "label=com.docker.compose.project=" + stack.project), tmp)).as("a blocked release starts nothing").isBlank();

    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets").resolve(name + ".env"),
        "password=" + example.flavor().password(example.database(), example.user()) + "\n");
    stack.access = sources.resolve(stack.release);
    assertThat(stack.access.problem()).isNull();
  }

  /**
   * With a wrong password from the Secret the server itself refuses the dump, the restore and the
   * drill's restore, in its own words: the password is really used, by every command.
   */
  private static void wrongPasswordIsRefused(DbStack stack, BackupRecord backup, Path tmp) throws Exception {
    BackupSettings settings = ReleaseSettings.from("shop", stack.release.getSpec()).backup();
    DockerDatabaseBackups backups = new DockerDatabaseBackups(stack.dockerHosts);
    var wrong = new DatabaseBackups.Target(stack.project, stack.service, null, null, "not-the-password");
    Path file = BackupFiles.file(stack.dir.resolve("state").resolve("backups"), backup.getName());
    String refusal = switch (stack.flavor) {
      case POSTGRES -> "password authentication failed for user \"" + stack.user + "\"";
      case MARIADB -> "Access denied";
      case REDIS -> "WRONGPASS";
    };
    var outcomes = java.util.Map.of(
        "dump", backups.dump(wrong, settings.command(), tmp.resolve("refused.gz")),
        "restore", backups.restore(wrong, settings.restoreCommand(), file, backup.getSha256()),
        "drill", backups.drill(wrong, settings.restoreCommand(), settings.verifyCommand(), file, backup.getSha256()));
    outcomes.forEach((what, outcome) -> {
      assertThat(outcome.ok()).as(what).isFalse();
      assertThat(outcome.message()).as(what).contains(refusal).doesNotContain("not-the-password", DbFlavor.PASSWORD);
    });
    assertThat(tmp.resolve("refused.gz")).as("a refused dump keeps nothing").doesNotExist();
  }

  /**
   * The pre-rollback backup holds v2's data exactly as v2's migration left it (before v1's
   * start-up migration put a row back): restored into a drill container, it shows just that.
   */
  private static void brokenDataWasKept(DbStack stack, Example example) throws Exception {
    assertThat(example.flavor()).isEqualTo(DbFlavor.POSTGRES);
    String name = stack.status.getLastRollback().getBackupBeforeRollback();
    assertThat(name).as("lastRollback: %s", stack.status.getLastRollback().getBackupBeforeRollbackFailure())
        .isNotNull();
    BackupRecord pre = stack.status.getBackups().stream().filter(b -> b.getName().equals(name)).findFirst()
        .orElseThrow();
    assertThat(pre.getCommit()).isEqualTo(stack.commit("v2"));
    assertThat(pre.getDrill()).as("not drilled, so as not to slow the rollback").isNull();
    BackupSettings settings = ReleaseSettings.from("shop", stack.release.getSpec()).backup();
    Path file = BackupFiles.file(stack.dir.resolve("state").resolve("backups"), name);
    BackupOutcome drill = new DockerDatabaseBackups(stack.dockerHosts).drill(
        new DatabaseBackups.Target(stack.project, stack.service, null), settings.restoreCommand(),
        String.join(" ", example.flavor().snapshot(stack.database, stack.user).stream()
            .map(BackupExamplesIT::shellQuote).toList()), file, pre.getSha256());
    assertThat(drill.ok()).as("drill: %s", drill.message()).isTrue();
    assertThat(drill.drill()).isEqualTo("""
        relations: audit,items
        items columns: id,name,price
        1|APPLE
        3|PLUM
        4|FIG""");
  }

  private static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** `backstop verify-backup shop NAME --restore` over a local state directory, as a user runs it. */
  private static void cliDrill(DbStack stack, BackupRecord backup, Path tmp) throws Exception {
    Path state = tmp.resolve("cli-state");
    StatusStore store = new StatusStore(state);
    store.write("shop", stack.status);
    Path releaseDir = store.releaseDir("shop");
    Path file = BackupFiles.file(releaseDir.resolve("backups"), backup.getName());
    Files.createDirectories(file.getParent());
    Files.copy(BackupFiles.file(stack.dir.resolve("state").resolve("backups"), backup.getName()), file);
    ObjectMapper json = new ObjectMapper();
    Files.write(new StateLayout.ReleaseDir(releaseDir).generation(), json.writeValueAsBytes(
        java.util.Map.of("generation", 1, "specJson", json.writeValueAsString(stack.release.getSpec()))));
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = BackstopCommand.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    int exit = cl.execute("verify-backup", "shop", backup.getName(), "--restore", "--state", state.toString());
    assertThat(exit).as("out: %s err: %s", out, err).isZero();
    assertThat(out.toString()).contains("ok: restored into a throwaway postgres container: 1 tables, 3 rows");
  }

  /** A check that fails, and a file that differs from its checksum, are both refused. */
  private static void drillsThatMustFail(DbStack stack, BackupSpec spec, BackupRecord backup, Path tmp) throws Exception {
    BackupSettings settings = ReleaseSettings.from("shop", stack.release.getSpec()).backup();
    Path file = BackupFiles.file(stack.dir.resolve("state").resolve("backups"), backup.getName());
    DockerDatabaseBackups backups = new DockerDatabaseBackups(stack.dockerHosts);
    DatabaseBackups.Target target = new DatabaseBackups.Target(stack.project, stack.service, null);
    BackupOutcome failed = backups.drill(target, settings.restoreCommand(), "echo 'orders missing' >&2; exit 3",
        file, backup.getSha256());
    assertThat(failed.ok()).isFalse();
    assertThat(failed.message()).contains("exited with 3", "orders missing");
    Path damaged = tmp.resolve("damaged.gz");
    Files.copy(file, damaged);
    Files.write(damaged, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    BackupOutcome refused = backups.drill(target, settings.restoreCommand(), settings.verifyCommand(), damaged,
        backup.getSha256());
    assertThat(refused.ok()).isFalse();
    assertThat(refused.message()).contains("SHA-256", "is not restored");
    assertThat(DemoRepo.run(List.of("docker", "ps", "-aq", "--filter",
        "label=" + DockerDatabaseBackups.DRILL_LABEL + "=" + stack.project + "/" + stack.service), tmp)).isBlank();
  }

  private static String expectedDrill(DbFlavor flavor) {
    return switch (flavor) {
      case POSTGRES -> "1 tables, 3 rows";
      case MARIADB -> "1 tables, ";
      case REDIS -> "db0:keys=4,";
    };
  }

  private static String expectedV1(DbFlavor flavor) {
    return switch (flavor) {
      case POSTGRES -> """
          relations: item_names,items
          items columns: id,name
          1|apple
          2|pear
          3|plum""";
      case MARIADB -> """
          tables: items
          items columns: id,name
          routines: item_count
          triggers: no_empty_names
          1\tapple
          2\tpear
          3\tplum""";
      case REDIS -> """
          db0
          item:1=apple
          item:2=pear
          item:3=plum
          stock=apple,5,pear,2
          db1
          sessions:count=3
          db2""";
    };
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
