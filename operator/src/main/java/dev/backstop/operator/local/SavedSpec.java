package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import java.nio.file.Path;
import java.util.Optional;

/** The spec the local daemon last reconciled, for commands that need it without the manifest. */
public final class SavedSpec {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private SavedSpec() {}

  public static Optional<StagingReleaseSpec> read(Path releaseDir) {
    String json = Generation.read(releaseDir).specJson();
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(json, StagingReleaseSpec.class));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
