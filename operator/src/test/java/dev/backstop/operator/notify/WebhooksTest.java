package dev.backstop.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery against a real HTTP server on loopback: signatures, retries, dead and silent receivers. */
class WebhooksTest {

  private static final Webhooks.Policy FAST =
      new Webhooks.Policy(3, Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(500), 4);

  private final Map<Webhooks.Outcome, AtomicInteger> counted = new ConcurrentHashMap<>();
  private final List<String> signatures = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private Webhooks webhooks;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (webhooks != null) {
      webhooks.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  private Webhooks webhooks(Webhooks.Policy policy) {
    webhooks = new Webhooks(policy, (ns, name) -> {
      if (!name.equals("hook")) {
        throw new SecretLookup.Missing("Secret '" + name + "' not found");
      }
      return "s3cret";
    }, o -> counted.computeIfAbsent(o, k -> new AtomicInteger()).incrementAndGet());
    return webhooks;
  }

  private int count(Webhooks.Outcome o) {
    return counted.getOrDefault(o, new AtomicInteger()).get();
  }

  /** A receiver answering the n-th request (from 1) with codes[n-1], the last code after that. */
  private String receiver(int... codes) throws Exception {
    AtomicInteger n = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      bodies.add(new String(body, StandardCharsets.UTF_8));
      signatures.add(String.valueOf(ex.getRequestHeaders().getFirst(Webhooks.SIGNATURE)));
      ex.sendResponseHeaders(codes[Math.min(n.getAndIncrement(), codes.length - 1)], -1);
      ex.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  private static Webhooks.Delivery delivery(String url, String secret, String body) {
    return new Webhooks.Delivery("demo spec.notify.webhooks[0]", url, null,
        secret == null ? null : new SecretReference(secret), "RollbackStarted", "application/json",
        body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSignedBodyArrivesWithTheHmacOfItsBytesAfterRetryingA500() throws Exception {
    String url = receiver(500, 200);
    webhooks(FAST).send(delivery(url, "hook", "{\"event\":\"RollbackStarted\"}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> count(Webhooks.Outcome.delivered) == 1);
    assertThat(bodies).containsExactly("{\"event\":\"RollbackStarted\"}", "{\"event\":\"RollbackStarted\"}");
    // What a receiver computes: HMAC-SHA256 of the raw body with the shared secret, in hex.
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = "sha256=" + java.util.HexFormat.of()
        .formatHex(mac.doFinal("{\"event\":\"RollbackStarted\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(signatures).containsOnly(expected);
    assertThat(count(Webhooks.Outcome.failed)).isZero();
  }

  @Test
  void withoutASecretRefThereIsNoSignatureAndAMissingSecretSendsNothing() throws Exception {
    String url = receiver(200);
    webhooks(FAST).send(delivery(url, null, "{}"));
    webhooks.send(delivery(url, "gone", "{}"));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> count(Webhooks.Outcome.delivered) == 1 && count(Webhooks.Outcome.failed) == 1);
    assertThat(signatures).containsExactly("null");
  }

  @Test
  void aClosedPortFailsAfterEveryTryAndSendNeverWaits() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    webhooks(FAST).send(delivery("http://127.0.0.1:" + port + "/hook", null, "{}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> count(Webhooks.Outcome.failed) == 1);
    assertThat(webhooks.outstanding()).isZero();
  }

  @Test
  void aReceiverThatNeverAnswersHoldsOnlyItsOwnDeliveriesAndTheOverflowIsDropped() throws Exception {
    AtomicInteger arrived = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/hook", ex -> {
      arrived.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    Webhooks.Policy policy = new Webhooks.Policy(1, Duration.ofMillis(20), Duration.ofMillis(50),
        Duration.ofSeconds(30), 4);
    webhooks(policy);
    for (int i = 0; i < 6; i++) {
      // Returns at once each time: the caller (a reconcile) is never the one waiting.
      webhooks.send(delivery(url, null, "{}"));
    }
    assertThat(count(Webhooks.Outcome.dropped)).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> arrived.get() == 4);
    assertThat(webhooks.outstanding()).isEqualTo(4);
    assertThat(count(Webhooks.Outcome.delivered) + count(Webhooks.Outcome.failed)).isZero();
  }
}
