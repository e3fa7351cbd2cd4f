package dev.backstop.operator.backup;

import dev.backstop.operator.core.BackupSettings;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Opens the store and key that spec.backup names. S3 credentials come from spec.backup.s3.secretRef
 * when the driver read one, else from Backstop's own environment, as the AWS tools take them.
 */
public final class BackupStores {

  private static final String DEFAULT_REGION = "us-east-1";

  private final Function<String, String> environment;

  /** @param environment Backstop's environment variables (System::getenv outside tests) */
  public BackupStores(Function<String, String> environment) {
    this.environment = environment;
  }

  /**
   * The store of {@code settings}: its S3 location, its directory, or the release's backups/.
   *
   * @param accessKeyId from spec.backup.s3.secretRef, or null for the environment
   * @throws IllegalArgumentException when S3 credentials are missing, naming where they are looked for
   */
  public BackupStore open(BackupSettings settings, Path releaseDir, String accessKeyId, String secretAccessKey) {
    BackupSettings.Remote remote = settings.remote();
    if (remote == null) {
      return new LocalDirStore(LocalDirStore.directory(settings, releaseDir));
    }
    String id = accessKeyId != null ? accessKeyId : environment.apply("AWS_ACCESS_KEY_ID");
    String secret = accessKeyId != null ? secretAccessKey : environment.apply("AWS_SECRET_ACCESS_KEY");
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("no S3 credentials for s3://" + remote.bucket() + "/" + remote.prefix()
          + ": set spec.backup.s3.secretRef to a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
          + " or those variables in Backstop's environment");
    }
    String region = remote.region() != null ? remote.region()
        : environment.apply("AWS_REGION") != null ? environment.apply("AWS_REGION") : DEFAULT_REGION;
    return new S3Store(new S3Store.Connection(remote.bucket(), remote.prefix(), remote.endpoint(), region,
        remote.pathStyle(), id, secret));
  }

  /**
   * The key of spec.backup.encryption, or null when backups are stored unencrypted.
   *
   * @param encoded the value the driver read from spec.backup.encryption.secretRef
   * @throws IllegalArgumentException when it is missing or not a key
   */
  public static BackupKey key(BackupSettings settings, String encoded) {
    BackupSettings.Encryption encryption = settings.encryption();
    if (encryption == null) {
      return null;
    }
    String where = "key '" + encryption.key() + "' of Secret '" + encryption.secretName()
        + "' (spec.backup.encryption.secretRef)";
    if (encoded == null) {
      throw new IllegalArgumentException(where + " was not read; create the Secret"
          + " (local mode: secrets/" + encryption.secretName() + ".env beside the manifests)");
    }
    return BackupKey.fromBase64(encoded, where);
  }
}
