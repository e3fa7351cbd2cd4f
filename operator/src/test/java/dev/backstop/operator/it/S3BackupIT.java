package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupEncryptionSpec;
import dev.backstop.operator.api.v1alpha1.BackupPreset;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.backup.BackupFormat;
import dev.backstop.operator.backup.BackupKey;
import dev.backstop.operator.backup.DatabaseBackups;
import dev.backstop.operator.backup.DockerDatabaseBackups;
import dev.backstop.operator.backup.S3Store;
import dev.backstop.operator.core.BackupOutcome;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.engine.Access;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backups in a real S3 API server (s3proxy on loopback), encrypted: the failed migration is rolled
 * back from the bucket, a wrong key and a tampered object are refused before anything is
 * restored, and retention deletes in the bucket exactly what status no longer lists.
 */
class S3BackupIT {

  private static final String BUCKET = "staging-backups";

  @Test
  void encryptedS3BackupsRestoreRefuseWrongKeysAndTamperingAndAreRetainedRemotely(@TempDir Path tmp)
      throws Exception {
    String key = newKey();
    try (S3Server s3 = S3Server.start(tmp, BUCKET);
        DbStack stack = new DbStack(tmp, DbFlavor.POSTGRES, spec(s3), "shop", "app");
        S3Store store = s3.store(BUCKET, "shop/pg");
        S3Client client = s3.client()) {
      stack.access = Access.of(null, s3.secrets(key));
      stack.reconcileUntil(Duration.ofSeconds(180), () -> stack.status != null && stack.status.getPhase() == Phase.Healthy);
      String v1 = stack.snapshot();

      stack.deploy("v2");
      stack.reconcileUntil(Duration.ofSeconds(180), () -> stack.status.getPhase() == Phase.RolledBack
          || stack.status.getPhase() == Phase.Failed);
      assertThat(stack.status.getPhase()).as("history: %s", stack.status.getHistory().get(0).getReason())
          .isEqualTo(Phase.RolledBack);
      assertThat(stack.status.getHistory().get(0).getRestore()).isEqualTo(Result.Succeeded);
      assertThat(stack.snapshot()).as("restored from the bucket").isEqualTo(v1);

      BackupRecord backup = stack.status.getBackups().stream()
          .filter(b -> b.getName().equals(stack.status.getHistory().get(0).getBackup())).findFirst().orElseThrow();
      assertThat(store.list()).contains(backup.getName());
      try (InputStream in = store.open(backup.getName())) {
        assertThat(new String(in.readNBytes(4))).as("stored encrypted").isEqualTo("BKSE");
      }
      try (InputStream in = store.open(backup.getName())) {
        assertThat(BackupFormat.sha256(in)).isEqualTo(backup.getSha256());
      }

      var settings = ReleaseSettings.from("shop", stack.release.getSpec()).backup();
      DockerDatabaseBackups backups = new DockerDatabaseBackups(stack.dockerHosts);
      DatabaseBackups.Target target = new DatabaseBackups.Target(stack.project, stack.service, null);
      BackupKey right = BackupKey.fromBase64(key, "test key");
      BackupKey wrong = BackupKey.fromBase64(newKey(), "other key");

      BackupOutcome refused = backups.restore(target, settings.restoreCommand(),
          new DatabaseBackups.Copy(store, backup.getName(), wrong), backup.getSha256());
      assertThat(refused.ok()).isFalse();
      assertThat(refused.message()).contains("s3://" + BUCKET + "/shop/pg/" + backup.getName() + ".gz",
          "was encrypted with the key of fingerprint " + right.fingerprint(),
          "gives the key of fingerprint " + wrong.fingerprint(), "nothing was restored");
      assertThat(refused.message()).doesNotContain(key);

      byte[] bytes;
      try (InputStream in = store.open(backup.getName())) {
        bytes = in.readAllBytes();
      }
      bytes[bytes.length / 2] ^= 0x20;
      client.putObject(b -> b.bucket(BUCKET).key("shop/pg/" + backup.getName() + ".gz"), RequestBody.fromBytes(bytes));
      BackupOutcome tampered = backups.restore(target, settings.restoreCommand(),
          new DatabaseBackups.Copy(store, backup.getName(), right), backup.getSha256());
      assertThat(tampered.ok()).isFalse();
      assertThat(tampered.message()).contains("SHA-256", "status.backups records " + backup.getSha256(),
          "is not restored");
      assertThat(stack.snapshot()).as("refusals touch nothing").isEqualTo(v1);

      // Retention 2: backups requested past it are deleted from the bucket, not from a local disk.
      for (String request : List.of("r1", "r2", "r3")) {
        stack.requests.put(StagingRelease.BACKUP_ANNOTATION, request);
        stack.reconcileUntil(Duration.ofSeconds(60), () -> stack.status.getOperation() == null
            && request.equals(stack.status.getHandledRequests().get(StagingRelease.BACKUP_ANNOTATION)));
      }
      List<String> listed = stack.status.getBackups().stream().map(BackupRecord::getName).sorted().toList();
      assertThat(listed.size()).as("retention deleted some of %s", listed).isLessThan(5);
      assertThat(store.list()).isEqualTo(listed);
      assertThat(stack.dir.resolve("state").resolve("backups")).doesNotExist();
      String recorded = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(stack.status)
          + stack.events;
      assertThat(recorded).doesNotContain(key, S3Server.SECRET_KEY);
    }
  }

  private static BackupSpec spec(S3Server s3) {
    BackupSpec spec = new BackupSpec();
    spec.setService("postgres");
    spec.setPreset(BackupPreset.postgres);
    spec.setDatabase("shop");
    spec.setUser("app");
    spec.setRestoreOnRollback(true);
    spec.setRetention(2);
    spec.setStorage("s3://" + BUCKET + "/shop/pg/");
    spec.setS3(s3.spec());
    BackupEncryptionSpec encryption = new BackupEncryptionSpec();
    encryption.setSecretRef(new SecretReference("backup-key"));
    spec.setEncryption(encryption);
    return spec;
  }

  private static String newKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }
}
