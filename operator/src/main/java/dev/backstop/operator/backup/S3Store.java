package dev.backstop.operator.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups as objects {@code <prefix><name>.gz} in an S3 bucket (AWS or any S3-compatible server).
 * Writes are multipart uploads of {@link #PART}-byte parts, two being sent while the next fills,
 * so memory stays at three parts whatever the dump's size. Before a commit returns, the stored
 * object is read back and its SHA-256 compared with the one computed while it was sent: the check
 * works on any S3-compatible server, whether or not it implements S3's own checksum headers.
 */
public final class S3Store implements BackupStore {

  private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);
  /** Bytes per part: S3 wants at least 5 MiB for every part but the last. */
  static final int PART = 8 * 1024 * 1024;
  // Parts sent at once: a request's round trip and the server's write overlap the next part's.
  private static final int SENDERS = 2;

  /** A part on its way, with the buffer it is read from. */
  private record Sending(byte[] buffer, Future<CompletedPart> result) {}

  /**
   * How to reach the bucket.
   *
   * @param endpoint the S3 API's URL, or null for AWS
   * @param pathStyle bucket in the path rather than the host name (most S3-compatible servers)
   */
  public record Connection(String bucket, String prefix, String endpoint, String region, boolean pathStyle,
      String accessKeyId, String secretAccessKey) {

    // Records print every component; the secret key must not reach a log that way.
    @Override
    public String toString() {
      return "Connection[s3://" + bucket + "/" + prefix + ", endpoint=" + endpoint + ", region=" + region + "]";
    }
  }

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3Store(Connection c) {
    this.bucket = c.bucket();
    this.prefix = c.prefix() == null || c.prefix().isEmpty() || c.prefix().endsWith("/")
        ? (c.prefix() == null ? "" : c.prefix()) : c.prefix() + "/";
    var builder = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.of(c.region()))
        .forcePathStyle(c.pathStyle())
        // Whole parts signed at once rather than aws-chunked 128 KiB pieces: the same one SHA-256 of
        // the payload over plain http (none over https), without the chunk framing, which servers
        // such as s3proxy decode a byte at a time.
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        // The SHA-256 read-back replaces S3's flexible checksums, which not every server implements.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    if (c.endpoint() != null) {
      builder.endpointOverride(URI.create(c.endpoint()));
    }
    this.s3 = builder.build();
  }

  private String key(String name) {
    return prefix + name + BackupFiles.SUFFIX;
  }

  @Override
  public Upload create(String name) throws IOException {
    return new Multipart(name);
  }

  @Override
  public InputStream open(String name) throws IOException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key(name)));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(describe(name));
    } catch (SdkException e) {
      throw new IOException("cannot read " + describe(name) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(List<String> names) throws IOException {
    for (String name : names) {
      try {
        // S3 answers a deletion of a missing key with success too.
        s3.deleteObject(b -> b.bucket(bucket).key(key(name)));
      } catch (SdkException e) {
        throw new IOException("cannot delete " + describe(name) + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public List<String> list() throws IOException {
    try {
      List<String> names = new ArrayList<>();
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
        String rest = o.key().substring(prefix.length());
        if (rest.endsWith(BackupFiles.SUFFIX) && !rest.contains("/")) {
          names.add(rest.substring(0, rest.length() - BackupFiles.SUFFIX.length()));
        }
      }
      return names.stream().sorted().toList();
    } catch (SdkException e) {
      throw new IOException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe(String name) {
    return "s3://" + bucket + "/" + key(name);
  }

  @Override
  public void close() {
    s3.close();
  }

  /** One multipart upload; the first part is created lazily, so a failed dump leaves nothing behind. */
  private final class Multipart implements Upload {
    private final String name;
    private final String key;
    private final ExecutorService sender;
    private final List<CompletedPart> parts = new ArrayList<>();
    // Parts being sent, oldest first; their buffers come back to spares once sent.
    private final ArrayDeque<Sending> inFlight = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spares = new ArrayDeque<>();
    private byte[] filling = new byte[PART];
    private int filled;
    private int sent;
    private String uploadId;
    private boolean committed;
    private final OutputStream stream = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        append(b, off, len);
      }
    };

    Multipart(String name) {
      this.name = name;
      this.key = key(name);
      this.sender = Executors.newFixedThreadPool(SENDERS, r -> {
        Thread t = new Thread(r, "s3-upload");
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    private void append(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (filled == PART) {
          send();
        }
        int n = Math.min(len, PART - filled);
        System.arraycopy(b, off, filling, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    private void send() throws IOException {
      while (inFlight.size() >= SENDERS) {
        awaitOldest();
      }
      try {
        if (uploadId == null) {
          uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        }
      } catch (SdkException e) {
        throw new IOException("cannot start the upload of s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
      }
      byte[] part = filling;
      int length = filled;
      int number = ++sent;
      String id = uploadId;
      // The buffer is read in place: it is not refilled before this part's request is done.
      Future<CompletedPart> result = sender.submit(() -> {
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(number),
            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part, 0, length), length,
                "application/octet-stream")).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
      });
      inFlight.add(new Sending(part, result));
      filling = spares.isEmpty() ? new byte[PART] : spares.pop();
      filled = 0;
    }

    private void awaitOldest() throws IOException {
      Sending oldest = inFlight.remove();
      try {
        parts.add(oldest.result().get());
        spares.push(oldest.buffer());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("the upload was interrupted", e);
      } catch (ExecutionException e) {
        throw new IOException("cannot upload part " + (parts.size() + 1) + " of s3://" + bucket + "/" + key + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    }

    @Override
    public void close() {
      discard();
    }

    @Override
    public void commit(String sha256) throws IOException {
      try {
        if (uploadId == null) {
          // Smaller than one part: a single PUT.
          s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(Arrays.copyOf(filling, filled)));
        } else {
          if (filled > 0) {
            send();
          }
          while (!inFlight.isEmpty()) {
            awaitOldest();
          }
          s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
              .multipartUpload(m -> m.parts(parts)));
        }
        committed = true;
      } catch (SdkException e) {
        throw new IOException("cannot store s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
      } finally {
        sender.shutdown();
      }
      String stored;
      long readBack = System.nanoTime();
      try {
        stored = BackupFormat.sha256(s3.getObject(b -> b.bucket(bucket).key(key)));
        LOG.info("s3://{}/{} read back and checked in {} ms", bucket, key, (System.nanoTime() - readBack) / 1_000_000);
      } catch (SdkException e) {
        throw new IOException("cannot read back s3://" + bucket + "/" + key + " to check it: " + e.getMessage(), e);
      }
      if (!stored.equalsIgnoreCase(sha256)) {
        delete(List.of(name));
        throw new IOException("s3://" + bucket + "/" + key + " read back with SHA-256 " + stored + ", not the "
            + sha256 + " that was sent, so it was deleted");
      }
    }

    private void discard() {
      sender.shutdownNow();
      if (committed || uploadId == null) {
        return;
      }
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      } catch (SdkException e) {
        // The bucket's lifecycle rules remove abandoned uploads; nothing lists this one as a backup.
        LOG.warn("cannot abort the upload of s3://{}/{}: {}", bucket, key, e.getMessage());
      }
    }
  }
}
