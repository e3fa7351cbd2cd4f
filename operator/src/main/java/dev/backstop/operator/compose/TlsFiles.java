package dev.backstop.operator.compose;

import dev.backstop.operator.state.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes a Docker host's TLS material where the docker CLI and docker-java both look for it: a
 * directory with ca.pem, cert.pem and key.pem, readable by the owner only.
 */
public final class TlsFiles {

  public static final List<String> NAMES = List.of("ca.pem", "cert.pem", "key.pem");

  private TlsFiles() {}

  /**
   * Writes the three files into {@code dir} (created 0700) unless they already hold exactly these
   * contents; each file is written 0600 under a temporary name and renamed, so a client never
   * reads half a key.
   */
  public static Path write(Path dir, DockerTls tls) throws IOException {
    AtomicFile.createDirectories(dir, AtomicFile.Access.OWNER_ONLY);
    // A directory left by an older version may be wider; the key inside must not be readable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> contents =
        Map.of("ca.pem", tls.caCert(), "cert.pem", tls.clientCert(), "key.pem", tls.clientKey());
    for (String name : NAMES) {
      Path file = dir.resolve(name);
      byte[] bytes = contents.get(name).getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(file) && MessageDigest.isEqual(Files.readAllBytes(file), bytes)) {
        continue;
      }
      AtomicFile.write(file, bytes, AtomicFile.Access.OWNER_ONLY);
    }
    return dir;
  }

  /** A digest of the three files, so clients built from older contents are not reused. */
  static String fingerprint(Path dir) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String name : NAMES) {
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) {
          digest.update(Files.readAllBytes(file));
        }
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
