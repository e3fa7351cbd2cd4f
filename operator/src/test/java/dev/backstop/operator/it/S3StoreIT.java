package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.backup.BackupStore;
import dev.backstop.operator.backup.S3Store;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** {@link S3Store} against a real S3 API server: multipart uploads, discarded uploads, listing, deletion. */
class S3StoreIT {

  @TempDir static Path tmp;
  private static S3Server server;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(tmp, "backups");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  @Test
  void multipartAndSinglePartUploadsReadBackByteForByte() throws Exception {
    try (S3Store store = server.store("backups", "multi/part")) {
      byte[] big = random(2 * 8 * 1024 * 1024 + 12345);
      byte[] small = random(1000);
      write(store, "big", big, 65536);
      write(store, "small", small, 7);
      try (InputStream in = store.open("big")) {
        assertThat(in.readAllBytes()).isEqualTo(big);
      }
      try (InputStream in = store.open("small")) {
        assertThat(in.readAllBytes()).isEqualTo(small);
      }
      assertThat(store.list()).containsExactly("big", "small");
      assertThat(store.describe("big")).isEqualTo("s3://backups/multi/part/big.gz");
    }
  }

  @Test
  void anUploadClosedWithoutCommitLeavesNothingNotEvenAnOpenMultipartUpload() throws Exception {
    try (S3Store store = server.store("backups", "aborted"); S3Client s3 = server.client()) {
      try (BackupStore.Upload upload = store.create("half")) {
        upload.stream().write(random(9 * 1024 * 1024));
      }
      assertThat(store.list()).isEmpty();
      assertThat(s3.listMultipartUploads(b -> b.bucket("backups").prefix("aborted/")).uploads()).isEmpty();
      assertThatThrownBy(() -> store.open("half")).isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("s3://backups/aborted/half.gz");
    }
  }

  @Test
  void deletionRemovesExactlyTheNamedBackupsAndAMissingOneIsFine() throws Exception {
    try (S3Store store = server.store("backups", "retention")) {
      for (String name : List.of("a", "b", "c")) {
        write(store, name, random(10), 10);
      }
      store.delete(List.of("a", "c", "never-was"));
      assertThat(store.list()).containsExactly("b");
    }
  }

  private static void write(BackupStore store, String name, byte[] data, int writeSize) throws Exception {
    try (BackupStore.Upload upload = store.create(name)) {
      OutputStream out = upload.stream();
      for (int off = 0; off < data.length; off += writeSize) {
        out.write(data, off, Math.min(writeSize, data.length - off));
      }
      out.close();
      upload.commit(dev.backstop.operator.backup.BackupFormat.sha256(new java.io.ByteArrayInputStream(data)));
    }
  }
}
