package dev.backstop.operator.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.CheckAction;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.core.checks.CheckBasics;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.QueryOutcome;
import dev.backstop.operator.it.SilentPeer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * http probes and PromQL queries against real loopback servers that misbehave: one deadline over
 * connect, headers and body, and a capped body.
 */
class LiveProbesBoundsTest {

  private HttpServer server;
  // Sends the slow body one byte at a time, 200 ms apart, off the server's own threads.
  private final java.util.concurrent.ScheduledExecutorService dribbler =
      Executors.newSingleThreadScheduledExecutor();
  private final DockerHosts docker = new DockerHosts();
  private final LiveProbes probes = new LiveProbes(docker);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // Headers at once, then one byte every 200 ms for 10 s: the body outlasts any 1 s timeout.
    server.createContext("/dribble", ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(50);
      java.util.concurrent.ScheduledFuture<?> bytes = dribbler.scheduleAtFixedRate(() -> {
        try {
          out.write('x');
          out.flush();
          sent.countDown();
        } catch (IOException e) {
          // The probe hung up, as it should: stop sending.
          while (sent.getCount() > 0) {
            sent.countDown();
          }
        }
      }, 200, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        sent.await(15, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        bytes.cancel(false);
        out.close();
      }
    });
    // An endless fast body: only a capped read ever finishes.
    server.createContext("/endless", ex -> {
      ex.sendResponseHeaders(200, 0);
      byte[] chunk = ("ok " + "y".repeat(8189) + "\n").getBytes();
      try (OutputStream out = ex.getResponseBody()) {
        while (true) {
          out.write(chunk);
        }
      } catch (IOException e) {
        // The probe stopped reading at its cap and closed the connection.
      }
    });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    dribbler.shutdownNow();
    docker.close();
  }

  private HttpCheck check(String path, Duration timeout, String bodyMatch) {
    return new HttpCheck(new CheckBasics("web", List.of(), 1, Duration.ofSeconds(10), timeout, CheckAction.ROLLBACK),
        "http://127.0.0.1:" + server.getAddress().getPort() + path, "GET", 200, 299,
        bodyMatch == null ? null : Pattern.compile(bodyMatch));
  }

  @Test
  void theTimeoutCoversABodyThatDribbles() {
    long start = System.nanoTime();
    HttpSample sample = probes.http(check("/dribble", Duration.ofSeconds(1), "never"), java.time.Instant.now());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(sample.passed()).isFalse();
    assertThat(sample.detail()).contains("within the 1.0s timeout");
    // Before: 10 s (the whole body). Slack for a loaded machine, far below the body's duration.
    assertThat(took).isLessThan(Duration.ofMillis(3000));
  }

  @Test
  void anEndlessBodyIsReadOnlyUpToTheCap() {
    long start = System.nanoTime();
    HttpSample sample = probes.http(check("/endless", Duration.ofSeconds(20), "^ok y"), java.time.Instant.now());
    assertThat(sample.passed()).as(sample.detail()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void aBodyMatchBeyondTheCapSaysItReadOnlyTheCap() {
    HttpSample sample = probes.http(check("/endless", Duration.ofSeconds(20), "never-there"), java.time.Instant.now());
    assertThat(sample.passed()).isFalse();
    assertThat(sample.detail()).contains("first 1024 KiB");
  }

  @Test
  void aPrometheusThatAcceptsAndNeverAnswersIsCutOffAtTheQueryTimeout() throws IOException {
    try (SilentPeer peer = SilentPeer.start()) {
      long start = System.nanoTime();
      QueryOutcome outcome = probes.query(peer.url(), "up", Duration.ofSeconds(1));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(outcome.kind()).isEqualTo(QueryOutcome.Kind.UNAVAILABLE);
      assertThat(outcome.message()).contains(peer.url(), "within the 1.0s timeout");
      assertThat(peer.accepted()).isEqualTo(1);
      // Without a deadline the query waits for ever; slack for a loaded machine.
      assertThat(took).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aPrometheusAnswerThatDribblesIsCutOffAtTheQueryTimeout() {
    long start = System.nanoTime();
    QueryOutcome outcome =
        probes.query("http://127.0.0.1:" + server.getAddress().getPort() + "/dribble", "up", Duration.ofSeconds(1));
    assertThat(outcome.kind()).isEqualTo(QueryOutcome.Kind.UNAVAILABLE);
    assertThat(outcome.message()).contains("within the 1.0s timeout");
    // Before: the whole 10 s body was read.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anEndlessPrometheusAnswerIsReadOnlyUpToTheCap() {
    QueryOutcome outcome =
        probes.query("http://127.0.0.1:" + server.getAddress().getPort() + "/endless", "up", Duration.ofSeconds(20));
    assertThat(outcome.kind()).isEqualTo(QueryOutcome.Kind.UNAVAILABLE);
    assertThat(outcome.message()).contains("more than 1024 KiB");
  }
}
