package dev.backstop.operator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.ExecOutcome;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.QueryOutcome;
import dev.backstop.operator.core.checks.ThresholdsTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scheduling of probes with fake I/O: independence of slow targets, start-up grace, epochs. */
class HealthMonitorTest {

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger refusals = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> news = new ConcurrentLinkedQueue<>();
  private final AtomicInteger slowCalls = new AtomicInteger();
  private volatile CountDownLatch slowAnswer = new CountDownLatch(1);
  private final ConcurrentLinkedQueue<Long> slowStarts = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Long> slowReturns = new ConcurrentLinkedQueue<>();

  private final Probes fake = new Probes() {
    @Override
    public HttpSample http(HttpCheck check, Instant at) {
      if (check.url().contains("stuck")) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new HttpSample(at, 0, check.timeout(), false, true, "no response within the timeout");
      }
      if (check.url().contains("slow") && slowCalls.incrementAndGet() > 1) {
        // The app answers once, then slowly: the test lets it answer when it has seen enough.
        slowStarts.add(System.nanoTime());
        try {
          slowAnswer.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        slowReturns.add(System.nanoTime());
        return new HttpSample(at, 200, Duration.between(at, Instant.now()), true, false, "answered 200");
      }
      if (refusals.getAndDecrement() > 0) {
        return new HttpSample(at, 0, null, false, false, "connection refused");
      }
      return new HttpSample(at, 200, Duration.ofMillis(5), true, false, "answered 200");
    }

    @Override
    public ExecOutcome exec(DockerEndpoint host, String id, List<String> command, Duration timeout) {
      return new ExecOutcome(0, "", false);
    }

    @Override
    public QueryOutcome query(String url, String query, Duration timeout) {
      return new QueryOutcome(1.0, QueryOutcome.Kind.OK, "ok");
    }
  };

  private final HealthMonitor monitor = new HealthMonitor(fake, Clock.systemUTC());

  @AfterEach
  void tearDown() {
    release.countDown();
    slowAnswer.countDown();
    monitor.close();
  }

  private static HealthCheckSpec http(String name, String url) {
    HealthCheckSpec c = ThresholdsTest.http();
    c.setName(name);
    c.setUrl(url);
    c.setInterval("1s");
    return c;
  }

  private static HealthCheckSpec rate(String check) {
    HealthCheckSpec c = ThresholdsTest.errorRate("5%", "1m");
    c.setCheck(check);
    return c;
  }

  private List<CheckResult> results(ReleaseSettings s, String epoch) {
    return monitor.results("demo", s, epoch, new HealthMonitor.Target(null, List.of(), List.of()));
  }

  private static Outcome outcome(List<CheckResult> results, String check) {
    return results.stream().filter(r -> r.check().equals(check)).map(CheckResult::outcome).findFirst().orElse(null);
  }

  @Test
  void aStuckTargetDoesNotHoldBackTheOtherChecks() throws Exception {
    ReleaseSettings s = ThresholdsTest.settings(http("stuck", "http://stuck.invalid/"), http("fast", "http://fast/"));
    monitor.onNews(news::add);
    results(s, "e1");
    AtomicInteger fastProbes = new AtomicInteger();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      CheckResult fast = results(s, "e1").stream().filter(r -> r.check().equals("fast")).findFirst().orElse(null);
      if (fast != null) {
        fastProbes.incrementAndGet();
      }
      return fastProbes.get() >= 5 && outcome(results(s, "e1"), "stuck") == null;
    });
    assertThat(outcome(results(s, "e1"), "fast")).isEqualTo(Outcome.PASS);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> outcome(results(s, "e1"), "stuck") == Outcome.FAIL);
    assertThat(news).contains("demo");
  }

  @Test
  void eachProbeIsTimedForItsReleaseAndCheckUntilTheReleaseIsForgotten() throws Exception {
    ConcurrentLinkedQueue<String> timed = new ConcurrentLinkedQueue<>();
    monitor.onProbed((r, check, took) -> {
      assertThat(took).isPositive();
      timed.add(r + " " + check);
    });
    ReleaseSettings s = ThresholdsTest.settings(http("fast", "http://fast/"), rate("fast"));
    results(s, "e1");
    await().atMost(Duration.ofSeconds(10)).until(() -> timed.size() >= 3);
    // errorRate rides on its http check's probe: one timing per probe, named by the probed check.
    assertThat(timed).containsOnly("demo fast");
    monitor.forget("demo");
    int after = timed.size();
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> timed.size() <= after + 1);
  }

  private static HealthCheckSpec responseTime(String check, String limit) {
    HealthCheckSpec c = new HealthCheckSpec();
    c.setName("response_time");
    c.setType(CheckType.RESPONSE_TIME);
    c.setCheck(check);
    c.setLimit(limit);
    return c;
  }

  private CheckResult result(ReleaseSettings s, String check) {
    return results(s, "e1").stream().filter(r -> r.check().equals(check)).findFirst().orElse(null);
  }

  @Test
  void aRequestPastTheResponseTimeLimitFailsAtTheLimitNotAtItsAnswer() throws Exception {
    ReleaseSettings s = ThresholdsTest.settings(http("http", "http://slow/"), responseTime("http", "200ms"));
    monitor.onNews(news::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      CheckResult r = result(s, "response_time");
      return r != null && r.outcome() == Outcome.FAIL;
    });
    CheckResult overdue = result(s, "response_time");
    assertThat(slowReturns).as("judged while the request still runs").isEmpty();
    assertThat(overdue.value()).isEqualTo(">200ms");
    assertThat(news).contains("demo");
    slowAnswer.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> !result(s, "response_time").value().startsWith(">"));
    CheckResult answered = result(s, "response_time");
    assertThat(answered.outcome()).isEqualTo(Outcome.FAIL);
    // One probe, one failure: the answer carries the start the overdue verdict had, so the
    // tracker counts it once.
    assertThat(answered.probedAt()).isEqualTo(overdue.probedAt());
  }

  @Test
  void aTurnThatCameWhileTheProbeRanRunsWhenItReturns() throws Exception {
    ReleaseSettings s = ThresholdsTest.settings(http("http", "http://slow/"));
    results(s, "e1");
    // The second probe hangs past the next turn (1 s interval), which is owed to it.
    await().atMost(Duration.ofSeconds(10)).until(() -> slowStarts.size() == 1);
    long hung = slowStarts.peek();
    await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - hung > 1_200_000_000L);
    CountDownLatch answer = slowAnswer;
    slowAnswer = new CountDownLatch(1);
    answer.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> slowStarts.size() == 2);
    long returned = slowReturns.peek();
    long next = slowStarts.stream().skip(1).findFirst().orElseThrow();
    // Without the owed turn the next probe waits for the timer's next tick, ~0.8 s later.
    assertThat(Duration.ofNanos(next - returned)).isLessThan(Duration.ofMillis(400));
  }

  @Test
  void requestsBeforeTheFirstResponseAreStartUpNotErrors() throws Exception {
    refusals.set(3);
    ReleaseSettings s = ThresholdsTest.settings(http("http", "http://app/"), rate("http"));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      assertThat(results(s, "e1")).as("refused requests before the first answer").noneMatch(r -> r.outcome() == Outcome.FAIL);
      return outcome(results(s, "e1"), "error_rate") == Outcome.PASS;
    });
    CheckResult rate = results(s, "e1").stream().filter(r -> r.check().equals("error_rate")).findFirst().orElseThrow();
    assertThat(rate.message()).startsWith("0/");
    assertThat(refusals.get()).as("the refusals were all used").isNegative();
  }

  @Test
  void aNewEpochForgetsTheOldSamples() throws Exception {
    ReleaseSettings s = ThresholdsTest.settings(http("http", "http://app/"), rate("http"));
    await().atMost(Duration.ofSeconds(10)).until(() -> outcome(results(s, "e1"), "error_rate") == Outcome.PASS);
    Instant switched = Instant.now();
    assertThat(results(s, "e2")).as("only probes of the new epoch")
        .allSatisfy(r -> assertThat(r.probedAt()).isAfterOrEqualTo(switched));
  }

  @Test
  void theFirstProbeOfAnEpochAlreadySeesTheStack() throws Exception {
    HealthCheckSpec ghost = new HealthCheckSpec();
    ghost.setName("ghost");
    ghost.setType(CheckType.EXEC);
    ghost.setService("db");
    ghost.setCommand(List.of("true"));
    ReleaseSettings s = ThresholdsTest.settings(ghost);
    dev.backstop.operator.core.ContainerState web = new dev.backstop.operator.core.ContainerState(
        "web", "c1", "demo-web-1", "running", null, "busybox:1.36", "/", null);
    HealthMonitor.Target stack = new HealthMonitor.Target(null, List.of(web), List.of("web"));
    // Every epoch starts its probes at once, on other threads: each first result must already know
    // the stack's services, or an unknown service reads as a dead one (a failure, then a rollback).
    for (int epoch = 0; epoch < 20; epoch++) {
      String e = "e" + epoch;
      await().atMost(Duration.ofSeconds(10)).until(() -> outcome(monitor.results("demo", s, e, stack), "ghost") != null);
      CheckResult first = monitor.results("demo", s, e, stack).get(0);
      assertThat(first.outcome()).as(first.message()).isEqualTo(Outcome.ERROR);
      assertThat(first.message()).contains("service db is not defined in the compose files");
    }
  }
}
