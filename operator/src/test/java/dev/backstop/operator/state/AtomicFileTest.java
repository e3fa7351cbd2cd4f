package dev.backstop.operator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

  @TempDir Path tmp;

  @Test
  void replacesTheContentAndLeavesNoTemporaryFileBehind() throws IOException {
    Path file = tmp.resolve("status.json");
    AtomicFile.write(file, bytes("first"), AtomicFile.Access.OWNER_ONLY);
    AtomicFile.write(file, bytes("second, longer than the first"), AtomicFile.Access.OWNER_ONLY);

    assertThat(Files.readString(file)).isEqualTo("second, longer than the first");
    assertThat(names(tmp)).containsExactly("status.json");
  }

  @Test
  void ownerOnlyMakesFiles0600AndNewDirectories0700() throws IOException {
    Path file = tmp.resolve("releases").resolve("shop").resolve("requests.json");
    AtomicFile.write(file, bytes("{}"), AtomicFile.Access.OWNER_ONLY);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("releases"))))
        .isEqualTo("rwx------");
  }

  @Test
  void replacingAWiderFileMakesIt0600() throws IOException {
    Path file = tmp.resolve("key.pem");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    AtomicFile.write(file, bytes("new"), AtomicFile.Access.OWNER_ONLY);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void readableFilesAre0644() throws IOException {
    Path file = tmp.resolve("images").resolve("abc.override.yml");
    AtomicFile.write(file, bytes("services: {}\n"), AtomicFile.Access.READABLE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
  }

  @Test
  void aParentThatIsAFileSurfacesAsIOException() throws IOException {
    Path notADir = Files.writeString(tmp.resolve("plain"), "x");

    assertThatThrownBy(
            () -> AtomicFile.write(notADir.resolve("status.json"), bytes("{}"), AtomicFile.Access.OWNER_ONLY))
        .isInstanceOf(IOException.class);
    assertThat(Files.readString(notADir)).isEqualTo("x");
  }

  @Test
  void aFailedRenameKeepsTheOldTargetAndRemovesTheTemporaryFile() throws IOException {
    // A non-empty directory cannot be replaced by a file, so the rename step fails.
    Path target = Files.createDirectories(tmp.resolve("status.json"));
    Files.writeString(target.resolve("inside"), "kept");

    assertThatThrownBy(() -> AtomicFile.write(target, bytes("{}"), AtomicFile.Access.OWNER_ONLY))
        .isInstanceOf(IOException.class);
    assertThat(Files.readString(target.resolve("inside"))).isEqualTo("kept");
    assertThat(names(tmp)).containsExactly("status.json");
  }

  @Test
  void commitOfAMissingTemporaryFileSurfacesAsIOException() {
    assertThatThrownBy(() -> AtomicFile.commit(tmp.resolve("gone.partial"), tmp.resolve("b1.gz")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Files.exists(tmp.resolve("b1.gz"))).isFalse();
  }

  @Test
  void aConcurrentReaderSeesTheOldOrTheNewContentNeverAMix() throws Exception {
    Path file = tmp.resolve("status.json");
    byte[] a = new byte[256 * 1024];
    byte[] b = new byte[256 * 1024];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    AtomicFile.write(file, a, AtomicFile.Access.OWNER_ONLY);

    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> torn = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (!done.get()) {
                try {
                  byte[] seen = Files.readAllBytes(file);
                  reads.incrementAndGet();
                  if (!Arrays.equals(seen, a) && !Arrays.equals(seen, b)) {
                    torn.set("read " + seen.length + " bytes that are neither version");
                  }
                } catch (IOException e) {
                  torn.set("the file was missing or unreadable: " + e);
                }
              }
            });
    reader.start();
    for (int i = 0; i < 200; i++) {
      AtomicFile.write(file, i % 2 == 0 ? b : a, AtomicFile.Access.OWNER_ONLY);
    }
    done.set(true);
    reader.join(10_000);

    assertThat(reads.get()).isPositive();
    assertThat(torn.get()).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static java.util.List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
