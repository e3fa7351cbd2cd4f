package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void parsesTheFormsPeopleWrite() {
    assertThat(Durations.parse("f", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("f", "10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("f", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("f", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("f", "1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("f", " 30s ")).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "10", "s", "1.5s", "-1s", "10 s", "1d", "5sm"})
  void rejectsAnythingElseNamingTheField(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.health.interval", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.health.interval")
        .hasMessageContaining("e.g. 500ms");
  }

  @Test
  void formatsForPeople() {
    assertThat(Durations.format(Duration.ofMillis(450))).isEqualTo("450ms");
    assertThat(Durations.format(Duration.ofMillis(1840))).isEqualTo("1.8s");
    assertThat(Durations.format(Duration.ofSeconds(125))).isEqualTo("2m05s");
  }
}
