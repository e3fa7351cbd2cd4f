package dev.backstop.operator.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ServiceOutline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads each service's image, published ports and healthcheck from Compose's rendered JSON. */
public final class ComposeOutlines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ComposeOutlines() {}

  /**
   * @param configJson `docker compose config --format json`
   * @throws ComposeException INVALID when it is not a compose model
   */
  public static List<ServiceOutline> parse(String configJson) throws ComposeException {
    JsonNode root;
    try {
      root = JSON.readTree(configJson);
    } catch (IOException e) {
      throw new ComposeException(Kind.INVALID, "docker compose config printed no JSON model: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ComposeException(Kind.INVALID, "docker compose config printed no JSON model");
    }
    List<ServiceOutline> services = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      List<ServiceOutline.Published> ports = new ArrayList<>();
      for (JsonNode p : s.path("ports")) {
        // Compose renders published as a string ("18080", or a range "9000-9001"): ranges and
        // ports left to the engine to choose are not something a check can name.
        int published = number(p.path("published"));
        int target = number(p.path("target"));
        if (published > 0 && target > 0) {
          ports.add(new ServiceOutline.Published(
              p.path("host_ip").asText(""), published, target, p.path("protocol").asText("tcp")));
        }
      }
      List<String> test = new ArrayList<>();
      JsonNode health = s.path("healthcheck");
      if (!health.path("disable").asBoolean(false)) {
        JsonNode t = health.path("test");
        if (t.isTextual()) {
          test.addAll(List.of("CMD-SHELL", t.asText()));
        } else {
          t.forEach(word -> test.add(word.asText()));
        }
        if (!test.isEmpty() && test.get(0).equals("NONE")) {
          test.clear();
        }
      }
      services.add(new ServiceOutline(e.getKey(), s.path("image").isTextual() ? s.path("image").asText() : null,
          s.hasNonNull("build"), ports, test));
    }
    return services;
  }

  private static int number(JsonNode node) {
    if (node.isInt()) {
      return node.asInt();
    }
    String text = node.asText("");
    return text.matches("\\d{1,5}") ? Integer.parseInt(text) : 0;
  }
}
