package dev.backstop.operator.local;

import dev.backstop.operator.state.SecretFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The secret that state-changing local API calls must present: a file readable by its owner only
 * (0600) in the state directory, so whoever may read the state directory may also act on it.
 */
public final class ApiToken {

  /** The file name inside the state directory. */
  public static final String FILE = "api-token";

  private final String value;

  private ApiToken(String value) {
    this.value = value;
  }

  /** The token of this state directory, created (0600) when there is none yet. */
  public static ApiToken loadOrCreate(Path stateDir) throws IOException {
    return new ApiToken(SecretFile.loadOrCreate(stateDir.resolve(FILE)));
  }

  /** The token stored in the state directory, if there is one. */
  public static Optional<String> read(Path stateDir) throws IOException {
    return SecretFile.read(stateDir.resolve(FILE));
  }

  /** Whether {@code presented} is this token; compares in constant time. */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
