package dev.backstop.operator.it;

import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.BackupS3Spec;
import dev.backstop.operator.backup.S3Store;
import dev.backstop.operator.engine.BackupSecrets;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server on loopback: s3proxy (from Maven Central, copied to target/ by the build)
 * with its filesystem backend, run as its own JVM with SigV4 authentication switched on.
 */
final class S3Server implements AutoCloseable {

  static final String ACCESS_KEY = "backstop-test-id";
  static final String SECRET_KEY = "backstop-test-secret-key";
  static final String REGION = "us-east-1";

  final String endpoint;
  final Path data;
  private final Process process;
  private final Path log;

  private S3Server(String endpoint, Path data, Process process, Path log) {
    this.endpoint = endpoint;
    this.data = data;
    this.process = process;
    this.log = log;
  }

  /** CPU time the server's JVM has used so far: what storing costs on this machine's cores. */
  Duration cpu() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  static S3Server start(Path dir, String... buckets) throws Exception {
    String jar = System.getProperty("s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("system property s3proxy.jar (set by failsafe) names no file: " + jar);
    }
    int port = LocalModeIT.freePort();
    String endpoint = "http://127.0.0.1:" + port;
    Path data = Files.createDirectories(dir.resolve("s3-data"));
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + data, ""));
    Path log = dir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3Server server = new S3Server(endpoint, data, process, log);
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("s3proxy exited: " + Files.readString(log));
            }
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
            c.setConnectTimeout(1000);
            return c.getResponseCode() > 0;
          });
      try (S3Client s3 = server.client()) {
        for (String bucket : buckets) {
          s3.createBucket(b -> b.bucket(bucket));
        }
      }
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** A client of this server, for what a test checks or tampers with. */
  S3Client client() {
    return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
        .forcePathStyle(true).endpointOverride(URI.create(endpoint))
        // s3proxy implements no flexible checksums, as Backstop's own client is set up to expect.
        .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** spec.backup.s3 for this server, with a secretRef the test resolves as {@link #secrets}. */
  BackupS3Spec spec() {
    BackupS3Spec s3 = new BackupS3Spec();
    s3.setEndpoint(endpoint);
    s3.setRegion(REGION);
    s3.setSecretRef(new dev.backstop.operator.api.v1alpha1.SecretReference("backup-s3"));
    return s3;
  }

  BackupSecrets secrets(String encryptionKey) {
    return new BackupSecrets(ACCESS_KEY, SECRET_KEY, encryptionKey);
  }

  S3Store store(String bucket, String prefix) {
    return new S3Store(new S3Store.Connection(bucket, prefix, endpoint, REGION, true, ACCESS_KEY, SECRET_KEY));
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  List<String> logTail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return lines.subList(Math.max(0, lines.size() - 30), lines.size());
  }
}
