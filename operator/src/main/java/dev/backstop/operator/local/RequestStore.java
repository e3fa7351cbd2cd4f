package dev.backstop.operator.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.state.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests made with the CLI in local mode (`backstop rollback NAME`), the local stand-in for
 * request annotations: one value per kind; a new value is one request.
 */
public final class RequestStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final StatusStore store;

  public RequestStore(StatusStore store) {
    this.store = store;
  }

  public Map<String, String> read(String release) {
    Path file = file(release);
    if (!Files.exists(file)) {
      return Map.of();
    }
    try {
      return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** The key under which `backstop suspend NAME` is kept (not an annotation: it adds to spec.suspend). */
  public static final String SUSPEND_KEY = "suspend";

  /** The value of {@link #SUSPEND_KEY} while the CLI holds the release suspended. */
  public static final String SUSPENDED = "true";

  /** Records a new request of {@code key} with a value never used before. */
  public void request(String release, String key, String value) {
    request(release, Map.of(key, value));
  }

  /**
   * Records a request with its parameters (backstop.dev/rollback-to) in one write, so the daemon
   * never reads one without the other. A rollback without a target clears the last one's (to an
   * empty value, which also outranks the manifest's annotation): it goes to last-known-good.
   */
  public synchronized void request(String release, Map<String, String> values) {
    Map<String, String> all = new LinkedHashMap<>(read(release));
    all.putAll(values);
    if (values.containsKey(StagingRelease.ROLLBACK_ANNOTATION)
        && !values.containsKey(StagingRelease.ROLLBACK_TO_ANNOTATION)) {
      all.put(StagingRelease.ROLLBACK_TO_ANNOTATION, "");
    }
    Path file = file(release);
    try {
      AtomicFile.write(file, JSON.writeValueAsBytes(all), AtomicFile.Access.OWNER_ONLY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private Path file(String release) {
    return store.release(release).requests();
  }
}
