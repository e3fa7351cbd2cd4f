package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.EnvFromSource;
import dev.backstop.operator.api.v1alpha1.EnvVar;
import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.engine.Access;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode's envFrom: secrets/NAME.env and configmaps/NAME.env beside the manifests. */
class LocalEnvSourcesTest {

  @TempDir Path manifests;

  @Test
  void filesBesideTheManifestsBecomeVariablesWithEnvOnTop() throws Exception {
    Files.createDirectories(manifests.resolve("secrets"));
    Files.createDirectories(manifests.resolve("configmaps"));
    Files.writeString(manifests.resolve("secrets/db.env"),
        "# the database\nDB_PASSWORD='s3cret value'\nexport API_KEY=\"k=1\"\n\nSHARED=from-secret\n");
    Files.writeString(manifests.resolve("configmaps/app.env"), "SHARED=from-configmap\nMODE=staging\n");
    Access access = new LocalEnvSources(manifests).resolve(release(List.of(EnvFromSource.configMap("app"),
        EnvFromSource.secret("db")), List.of(new EnvVar("MODE", "literal"))));
    assertThat(access.problem()).isNull();
    assertThat(access.env().values()).isEqualTo(Map.of("DB_PASSWORD", "s3cret value", "API_KEY", "k=1",
        "SHARED", "from-secret", "MODE", "literal"));
    assertThat(access.toString()).doesNotContain("s3cret");
  }

  @Test
  void aMissingOrMalformedFileBlocksWithAReasonThatNamesTheFileNotTheValues() throws Exception {
    Access missing = new LocalEnvSources(manifests).resolve(release(List.of(EnvFromSource.secret("db")), null));
    assertThat(missing.problem().reason()).isEqualTo(Reason.SecretNotFound);
    assertThat(missing.problem().message()).contains("secrets/db.env");

    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets/db.env"), "GOOD=hidden-value\nthis line has no equals\n");
    Access bad = new LocalEnvSources(manifests).resolve(release(List.of(EnvFromSource.secret("db")), null));
    assertThat(bad.problem().reason()).isEqualTo(Reason.SecretInvalid);
    assertThat(bad.problem().message()).contains("line 2").doesNotContain("hidden-value").doesNotContain("equals");
  }

  @Test
  void specBackupSecretRefsAreFilesTooAndAMissingKeyIsNamedNotShown() throws Exception {
    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets/backup-s3.env"),
        "AWS_ACCESS_KEY_ID=id-1\nAWS_SECRET_ACCESS_KEY=secret-1\n");
    Files.writeString(manifests.resolve("secrets/backup-key.env"), "other=k-1\n");
    StagingRelease r = release(List.of(), null);
    dev.backstop.operator.api.v1alpha1.BackupSpec backup = new dev.backstop.operator.api.v1alpha1.BackupSpec();
    dev.backstop.operator.api.v1alpha1.BackupS3Spec s3 = new dev.backstop.operator.api.v1alpha1.BackupS3Spec();
    s3.setSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("backup-s3"));
    backup.setS3(s3);
    dev.backstop.operator.api.v1alpha1.BackupEncryptionSpec encryption =
        new dev.backstop.operator.api.v1alpha1.BackupEncryptionSpec();
    encryption.setSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("backup-key"));
    backup.setEncryption(encryption);
    r.getSpec().setBackup(backup);

    Access noKey = new LocalEnvSources(manifests).resolve(r);
    assertThat(noKey.problem().reason()).isEqualTo(Reason.SecretInvalid);
    assertThat(noKey.problem().message())
        .isEqualTo("Secret 'backup-key' (spec.backup.encryption.secretRef) has no 'key'; add it");

    encryption.setKey("other");
    Access access = new LocalEnvSources(manifests).resolve(r);
    assertThat(access.problem()).isNull();
    assertThat(access.backup()).isEqualTo(new dev.backstop.operator.engine.BackupSecrets("id-1", "secret-1", "k-1"));
    assertThat(access.toString()).doesNotContain("secret-1", "k-1");
    assertThat(access.secretValues()).contains("secret-1", "k-1");
  }

  @Test
  void passwordSecretRefIsReadLikeTheOthersAndRedactedEverywhere() throws Exception {
    StagingRelease r = release(List.of(), null);
    dev.backstop.operator.api.v1alpha1.BackupSpec backup = new dev.backstop.operator.api.v1alpha1.BackupSpec();
    backup.setPasswordSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("db-pass"));
    r.getSpec().setBackup(backup);

    Access missing = new LocalEnvSources(manifests).resolve(r);
    assertThat(missing.problem().reason()).isEqualTo(Reason.SecretNotFound);
    assertThat(missing.problem().message()).contains("spec.backup.passwordSecretRef", "secrets/db-pass.env");

    Files.createDirectories(manifests.resolve("secrets"));
    Files.writeString(manifests.resolve("secrets/db-pass.env"), "pw=Tr0ub4dor\n");
    Access noKey = new LocalEnvSources(manifests).resolve(r);
    assertThat(noKey.problem().reason()).isEqualTo(Reason.SecretInvalid);
    assertThat(noKey.problem().message())
        .isEqualTo("Secret 'db-pass' (spec.backup.passwordSecretRef) has no 'password'; add it");

    backup.setPasswordKey("pw");
    Access access = new LocalEnvSources(manifests).resolve(r);
    assertThat(access.problem()).isNull();
    assertThat(access.backup().databasePassword()).isEqualTo("Tr0ub4dor");
    assertThat(access.toString()).doesNotContain("Tr0ub4dor");
    assertThat(access.secretValues()).contains("Tr0ub4dor");
    assertThat(dev.backstop.operator.core.Redactor.patterns().with(access.secretValues())
        .redact("restore failed: psql: password Tr0ub4dor rejected")).doesNotContain("Tr0ub4dor");
  }

  private static StagingRelease release(List<EnvFromSource> from, List<EnvVar> env) {
    ComposeSpec compose = new ComposeSpec();
    compose.setEnvFrom(from);
    compose.setEnv(env);
    StagingReleaseSpec spec = new StagingReleaseSpec();
    spec.setCompose(compose);
    StagingRelease r = new StagingRelease();
    r.setMetadata(new ObjectMetaBuilder().withName("demo").build());
    r.setSpec(spec);
    return r;
  }
}
