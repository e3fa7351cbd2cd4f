package dev.backstop.operator.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * The secret that state-changing local API calls must present: a file readable by its owner only
 * (0600) in the state directory, so whoever may read the state directory may also act on it.
 */
public final class ApiToken {

  /** The file name inside the state directory. */
  public static final String FILE = "api-token";

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private final String value;

  private ApiToken(String value) {
    this.value = value;
  }

  /** The token of this state directory, created (0600) when there is none yet. */
  public static ApiToken loadOrCreate(Path stateDir) throws IOException {
    Files.createDirectories(stateDir);
    Path file = stateDir.resolve(FILE);
    Optional<String> existing = read(stateDir);
    if (existing.isPresent()) {
      // An old file may have been created by hand or with a wide umask: narrow it.
      restrict(file);
      return new ApiToken(existing.get());
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      // Created with its final permissions: it is never readable by others, not even for a moment.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      // Another process won the race: use its token.
      return new ApiToken(read(stateDir).orElseThrow(() -> new IOException(file + " is empty")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
    return new ApiToken(value);
  }

  /** The token stored in the state directory, if there is one. */
  public static Optional<String> read(Path stateDir) throws IOException {
    try {
      String text = Files.readString(stateDir.resolve(FILE), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code presented} is this token; compares in constant time. */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own access rules apply.
    }
  }
}
