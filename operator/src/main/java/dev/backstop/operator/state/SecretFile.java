package dev.backstop.operator.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/** A random secret kept in a file readable by its owner only (0600), created on first use. */
public final class SecretFile {

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SecretFile() {}

  /** The secret in {@code file}, created (0600, 32 random bytes, base64url) when there is none yet. */
  public static String loadOrCreate(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Optional<String> existing = read(file);
    if (existing.isPresent()) {
      // An old file may have been created by hand or with a wide umask: narrow it.
      restrict(file);
      return existing.get();
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      // Created with its final permissions: it is never readable by others, not even for a moment.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      // Another process won the race: use its secret.
      return read(file).orElseThrow(() -> new IOException(file + " is empty"));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
    return value;
  }

  /** The secret stored in {@code file} (surrounding white space removed), if there is one. */
  public static Optional<String> read(Path file) throws IOException {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own access rules apply.
    }
  }
}
