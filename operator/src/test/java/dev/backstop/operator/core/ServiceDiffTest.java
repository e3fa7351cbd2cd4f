package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The differ names fields and key names, never environment values, and whole services coming and going. */
class ServiceDiffTest {

  private static ServiceDiff.Definition web(String image, List<String> keys, String health) {
    return new ServiceDiff.Definition(image, "httpd -f", keys, List.of("8080/tcp"), List.of("./www:/www:ro"), health);
  }

  @Test
  void changedFieldsAddedAndRemovedServices() {
    List<ServiceDiff.Change> changes = ServiceDiff.between(
        Map.of("web", web("app:1", List.of("B", "A"), null), "old", web("x:1", List.of(), null)),
        Map.of("web", web("app:2", List.of("A", "C"), "{\"test\":\"true\"}"), "new", web("y:1", List.of(), null)));
    assertThat(changes).extracting(c -> c.service() + " " + c.field() + " " + c.from() + " -> " + c.to())
        .containsExactly("new service  -> added", "old service removed -> ",
            "web image app:1 -> app:2", "web environment - B -> + C", "web healthcheck  -> {\"test\":\"true\"}");
    assertThat(ServiceDiff.between(Map.of("web", web("a", List.of("K"), null)),
        Map.of("web", web("a", List.of("K"), null)))).isEmpty();
  }
}
