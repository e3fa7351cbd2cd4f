package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.BackupCompression;
import dev.backstop.operator.api.v1alpha1.BackupEncryptionSpec;
import dev.backstop.operator.api.v1alpha1.BackupS3Spec;
import dev.backstop.operator.api.v1alpha1.BackupSpec;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.backup.storage as a directory or an s3:// URL, spec.backup.s3, .encryption and .compression. */
class BackupStorageSettingsTest {

  private final List<String> problems = new ArrayList<>();

  private static BackupSpec spec(String storage) {
    BackupSpec spec = new BackupSpec();
    spec.setService("db");
    spec.setCommand("pg_dump app");
    spec.setStorage(storage);
    return spec;
  }

  @Test
  void anS3UrlBecomesARemoteLocationWithPathStyleDefaultingToTrueForAnEndpoint() {
    BackupSpec spec = spec("s3://staging-backups/teams/piper/");
    BackupS3Spec s3 = new BackupS3Spec();
    s3.setEndpoint("http://minio.backups:9000");
    s3.setSecretRef(new SecretReference("backup-s3"));
    spec.setS3(s3);
    BackupSettings s = BackupSettings.from(problems, spec);
    assertThat(problems).isEmpty();
    assertThat(s.storage()).isNull();
    assertThat(s.remote()).isEqualTo(new BackupSettings.Remote("staging-backups", "teams/piper",
        "http://minio.backups:9000", null, true, "backup-s3"));
  }

  @Test
  void awsNeedsNoS3BlockAndAddressesTheBucketByHostName() {
    BackupSettings s = BackupSettings.from(problems, spec("s3://my-bucket"));
    assertThat(problems).isEmpty();
    assertThat(s.remote()).isEqualTo(new BackupSettings.Remote("my-bucket", "", null, null, false, null));
  }

  @Test
  void compressionDefaultsToZstdAndTakesGzipOrNone() {
    assertThat(BackupSettings.from(problems, spec(null)).compression()).isEqualTo(BackupCompression.zstd);
    BackupSpec gzip = spec(null);
    gzip.setCompression(BackupCompression.gzip);
    assertThat(BackupSettings.from(problems, gzip).compression()).isEqualTo(BackupCompression.gzip);
    assertThat(problems).isEmpty();
  }

  @Test
  void directoriesStillWork() {
    BackupSettings s = BackupSettings.from(problems, spec("/srv/backups"));
    assertThat(problems).isEmpty();
    assertThat(s.storage()).isEqualTo("/srv/backups");
    assertThat(s.remote()).isNull();
  }

  @Test
  void badLocationsAreNamedByField() {
    BackupSettings.from(problems, spec("s3://Bad_Bucket/x"));
    BackupSettings.from(problems, spec("backups"));
    BackupSpec s3WithoutUrl = spec("/srv/backups");
    s3WithoutUrl.setS3(new BackupS3Spec());
    BackupSettings.from(problems, s3WithoutUrl);
    BackupSpec badEndpoint = spec("s3://bucket/p");
    BackupS3Spec s3 = new BackupS3Spec();
    s3.setEndpoint("minio:9000");
    badEndpoint.setS3(s3);
    BackupSettings.from(problems, badEndpoint);
    assertThat(problems).containsExactly(
        "spec.backup.storage 's3://Bad_Bucket/x': 'Bad_Bucket' is not a bucket name"
            + " (3 to 63 lower-case letters, digits, dots and hyphens)",
        "spec.backup.storage 'backups' must be an absolute directory path or s3://bucket/prefix",
        "spec.backup.s3 applies only when spec.backup.storage is an s3:// URL; set storage or remove s3",
        "spec.backup.s3.endpoint 'minio:9000' must be an http:// or https:// URL");
  }

  @Test
  void encryptionNeedsASecretAndDefaultsItsKeyName() {
    BackupSpec spec = spec(null);
    BackupEncryptionSpec encryption = new BackupEncryptionSpec();
    encryption.setSecretRef(new SecretReference("backup-key"));
    spec.setEncryption(encryption);
    assertThat(BackupSettings.from(problems, spec).encryption())
        .isEqualTo(new BackupSettings.Encryption("backup-key", "key"));
    spec.setEncryption(new BackupEncryptionSpec());
    BackupSettings.from(problems, spec);
    assertThat(problems).containsExactly(
        "spec.backup.encryption.secretRef.name is required: the Secret that holds the AES-256 key");
  }
}
