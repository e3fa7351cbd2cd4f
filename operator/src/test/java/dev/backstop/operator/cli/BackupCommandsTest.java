package dev.backstop.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.backup.BackupFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.state.StateLayout;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BackupCommandsTest {

  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = BackstopCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  private BackupRecord storeBackup(String name, byte[] dump) throws Exception {
    StatusStore store = new StatusStore(state);
    Path file = BackupFiles.file(store.releaseDir("shop").resolve("backups"), name);
    Files.createDirectories(file.getParent());
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(file))) {
      o.write(dump);
    }
    BackupRecord r = new BackupRecord();
    r.setName(name);
    r.setCommit("1111111111111111111111111111111111111111");
    r.setTime("2026-11-26T10:00:00Z");
    r.setSize(Files.size(file));
    r.setSha256(BackupFiles.sha256(file));
    r.setReason("requested");
    StagingReleaseStatus s = new StagingReleaseStatus();
    s.getBackups().add(r);
    store.write("shop", s);
    return r;
  }

  @Test
  void listsBackupsAndVerifiesAGoodOne() throws Exception {
    storeBackup("20261126-100000-1111111", "CREATE TABLE t();\n".getBytes(StandardCharsets.UTF_8));
    assertThat(run("backups", "shop", "--state", state.toString())).isZero();
    assertThat(out.toString()).contains("20261126-100000-1111111", "1111111", "requested");

    assertThat(run("verify-backup", "shop", "20261126-100000-1111111", "--state", state.toString())).isZero();
    assertThat(out.toString()).contains("ok:", "decompresses to 18 bytes");
  }

  @Test
  void verifyRejectsAChangedFileAndAnUnknownName() throws Exception {
    storeBackup("b1", "data\n".getBytes(StandardCharsets.UTF_8));
    Path file = BackupFiles.file(new StatusStore(state).releaseDir("shop").resolve("backups"), "b1");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 5] ^= 0x55;
    Files.write(file, bytes);

    assertThat(run("verify-backup", "shop", "b1", "--state", state.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("damaged", "SHA-256");

    assertThat(run("verify-backup", "shop", "nope", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no backup named nope");
  }

  @Test
  void verifyRejectsAFileThatDoesNotDecompressEvenWithoutAChecksum() throws Exception {
    Path file = state.resolve("x.gz");
    Files.writeString(file, "not gzip");
    try {
      BackupFiles.verify(file, null);
      throw new AssertionError("expected a failure");
    } catch (java.io.IOException e) {
      assertThat(e.getMessage()).contains("does not decompress");
    }
  }

  @Test
  void aDrillOfAReleaseWhosePasswordIsInASecretIsRefusedHereWithWhereItRuns() throws Exception {
    storeBackup("b1", "data\n".getBytes(StandardCharsets.UTF_8));
    Path releaseDir = new StatusStore(state).releaseDir("shop");
    String spec = "{\"source\":{\"url\":\"https://example.invalid/shop.git\",\"ref\":\"main\"},"
        + "\"backup\":{\"service\":\"db\",\"preset\":\"mariadb\",\"database\":\"shop\","
        + "\"user\":\"shop\",\"passwordSecretRef\":{\"name\":\"shop-db\"}}}";
    Files.writeString(new StateLayout.ReleaseDir(releaseDir).generation(),
        new ObjectMapper().writeValueAsString(java.util.Map.of("generation", 1, "specJson", spec)));

    assertThat(run("verify-backup", "shop", "b1", "--restore", "--state", state.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("spec.backup.passwordSecretRef", "drill: afterBackup");
    // Without --restore the checksum check needs no password and still runs.
    assertThat(run("verify-backup", "shop", "b1", "--state", state.toString())).isZero();
  }
}
