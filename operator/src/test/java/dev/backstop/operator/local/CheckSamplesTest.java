package dev.backstop.operator.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.CheckState;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckSamplesTest {

  @Test
  void readsTheNumbersTheProbesWrite() {
    assertThat(CheckSamples.number(CheckType.RESPONSE_TIME, "523ms")).isEqualTo(523.0);
    assertThat(CheckSamples.number(CheckType.RESPONSE_TIME, ">2.0s")).isEqualTo(2000.0);
    assertThat(CheckSamples.number(CheckType.RESPONSE_TIME, "1m05s")).isEqualTo(65000.0);
    assertThat(CheckSamples.number(CheckType.HTTP, "200 in 12ms")).isEqualTo(12.0);
    assertThat(CheckSamples.number(CheckType.HTTP, "no response")).isNull();
    assertThat(CheckSamples.number(CheckType.ERROR_RATE, "5.5%")).isEqualTo(5.5);
    assertThat(CheckSamples.number(CheckType.SERVICE_HEALTH, "1/2 services healthy")).isEqualTo(50.0);
    assertThat(CheckSamples.number(CheckType.SERVICE_HEALTH, "50% (1/2 services healthy)")).isEqualTo(50.0);
    assertThat(CheckSamples.number(CheckType.SERVICE_HEALTH, "0/0 services healthy")).isNull();
    assertThat(CheckSamples.number(CheckType.PROMETHEUS, "0.07")).isEqualTo(0.07);
    assertThat(CheckSamples.number(CheckType.EXEC, "exit 1")).isNull();
  }

  @Test
  void theCheckBackstopAddsByItselfIsRecognisedByItsValue() {
    assertThat(CheckSamples.guess("1/1 services healthy")).isEqualTo(CheckType.SERVICE_HEALTH);
    assertThat(CheckSamples.guess("200 in 12ms")).isNull();
    assertThat(CheckSamples.guess(null)).isNull();
  }

  @Test
  void thresholdsComeFromTheSpec() {
    assertThat(CheckSamples.threshold(spec(CheckType.RESPONSE_TIME, c -> c.setLimit("500ms"))))
        .isEqualTo(new CheckSamples.Threshold(500, "ms", "above", "limit 500ms"));
    assertThat(CheckSamples.threshold(spec(CheckType.ERROR_RATE, c -> c.setLimit("5%"))))
        .isEqualTo(new CheckSamples.Threshold(5, "%", "above", "limit 5%"));
    assertThat(CheckSamples.threshold(spec(CheckType.SERVICE_HEALTH, c -> {})))
        .isEqualTo(new CheckSamples.Threshold(100, "%", "below", "minimum 100%"));
    assertThat(CheckSamples.threshold(spec(CheckType.PROMETHEUS, c -> {
      c.setOperator("<");
      c.setThreshold("0.05");
    }))).isEqualTo(new CheckSamples.Threshold(0.05, "", "above", "passes when value < 0.05"));
    assertThat(CheckSamples.threshold(spec(CheckType.RESPONSE_TIME, c -> c.setLimit("fast")))).isNull();
    assertThat(CheckSamples.threshold(spec(CheckType.HTTP, c -> {}))).isNull();
  }

  @Test
  void keepsTheLastValuesOfEachCheckBoundedAndSkipsUnchangedSnapshots() {
    CheckSamples samples = new CheckSamples(3);
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    samples.record("demo", List.of(check("latency", "100ms", CheckState.Passing, "t1")), t);
    samples.record("demo", List.of(check("latency", "100ms", CheckState.Passing, "t1")), t.plusSeconds(1));
    assertThat(samples.samples("demo", "latency", CheckType.RESPONSE_TIME)).hasSize(1);
    for (int i = 2; i <= 5; i++) {
      samples.record("demo", List.of(check("latency", i * 100 + "ms", CheckState.Failing, "t" + i)), t.plusSeconds(i));
    }
    assertThat(samples.samples("demo", "latency", CheckType.RESPONSE_TIME))
        .extracting(CheckSamples.Sample::number).containsExactly(300.0, 400.0, 500.0);
    assertThat(samples.samples("other", "latency", CheckType.RESPONSE_TIME)).isEmpty();
    samples.forget("demo");
    assertThat(samples.samples("demo", "latency", CheckType.RESPONSE_TIME)).isEmpty();
  }

  private static CheckStatus check(String name, String value, CheckState state, String counted) {
    CheckStatus c = new CheckStatus();
    c.setName(name);
    c.setLastValue(value);
    c.setState(state);
    c.setLastCountedFailureTime(counted);
    return c;
  }

  private static HealthCheckSpec spec(CheckType type, java.util.function.Consumer<HealthCheckSpec> edit) {
    HealthCheckSpec s = new HealthCheckSpec();
    s.setName("c");
    s.setType(type);
    edit.accept(s);
    return s;
  }
}
