package dev.backstop.operator.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ImagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@link ImagePlan} of a commit from `docker compose config --format json` of its
 * checkout, and finds the compose files Compose would read in a project directory.
 */
public final class CommitImages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CommitImages() {}

  /**
   * Reads a commit's resolved compose model.
   *
   * @param configJson output of `docker compose config --format json`
   * @throws ComposeException ({@link Kind#INVALID}) when the output is not a compose model
   */
  public static ImagePlan plan(String project, String commit, String configJson)
      throws ComposeException {
    JsonNode services;
    try {
      services = JSON.readTree(configJson).path("services");
    } catch (IOException e) {
      throw new ComposeException(
          Kind.INVALID, "docker compose config printed no JSON model: " + e.getMessage(), e);
    }
    List<ImagePlan.Service> read = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      JsonNode def = service.getValue();
      String image = def.path("image").isTextual() ? def.path("image").asText() : null;
      read.add(new ImagePlan.Service(
          service.getKey(), def.hasNonNull("build"), image, def.path("pull_policy").asText("")));
    }
    return ImagePlan.of(project, commit, read);
  }

  /** {@link ImagePlan#effectiveFiles} for the files present in {@code directory}. */
  public static List<String> effectiveFiles(Path directory, List<String> files) {
    return ImagePlan.effectiveFiles(files, f -> Files.isRegularFile(directory.resolve(f)));
  }
}
