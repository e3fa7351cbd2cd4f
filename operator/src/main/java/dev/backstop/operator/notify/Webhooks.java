package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.SecretReference;
import dev.backstop.operator.hooks.HookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook bodies off the reconcile path: {@link #send} only counts the delivery in and
 * returns; its own threads sign, POST with a timeout and retry with capped backoff. At most
 * {@link Policy#capacity} deliveries are outstanding, so a dead receiver costs bounded memory and
 * never a reconcile's time; what does not fit is dropped and counted.
 */
public final class Webhooks implements AutoCloseable {

  /** The signature header: {@code sha256=<hex HMAC-SHA256 of the body>}. */
  public static final String SIGNATURE = "X-Backstop-Signature";
  /** The event name header, for receivers that route without parsing. */
  public static final String EVENT = "X-Backstop-Event";

  private static final Logger LOG = LoggerFactory.getLogger("backstop");

  /**
   * How hard to try.
   *
   * @param attempts tries per delivery, the first included
   * @param firstBackoff the wait before the second try; it doubles up to {@code maxBackoff}
   * @param timeout for one try: connecting, sending and the response's headers
   * @param capacity deliveries outstanding (queued, in flight or waiting to retry) at most
   */
  public record Policy(int attempts, Duration firstBackoff, Duration maxBackoff, Duration timeout, int capacity) {

    /** 4 tries over about 7 s, 5 s each, 256 outstanding. */
    public static final Policy DEFAULT = new Policy(4, Duration.ofSeconds(1), Duration.ofSeconds(30),
        Duration.ofSeconds(5), 256);

    Duration backoff(int failedTries) {
      long ms = firstBackoff.toMillis() << Math.min(Math.max(failedTries - 1, 0), 20);
      return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
  }

  /**
   * One body for one webhook.
   *
   * @param what for log lines: the release and the webhook's field path, never its URL
   * @param namespace where its Secret lives (null in local mode)
   */
  public record Delivery(String what, String url, String namespace, SecretReference secretRef, String event,
      String contentType, byte[] body) {
    @Override
    public String toString() {
      return "Delivery[" + what + ", " + event + "]";
    }
  }

  /** How a delivery ended, the label of backstop_webhook_deliveries_total. */
  public enum Outcome {
    delivered,
    failed,
    dropped
  }

  private final Policy policy;
  private final SecretLookup secrets;
  private final Consumer<Outcome> counter;
  private final ExecutorService io;
  private final ScheduledExecutorService retries;
  private final HttpClient http;
  private final AtomicInteger outstanding = new AtomicInteger();

  public Webhooks(Policy policy, SecretLookup secrets, Consumer<Outcome> counter) {
    this.policy = policy;
    this.secrets = secrets;
    this.counter = counter;
    this.io = Executors.newFixedThreadPool(2, daemon("backstop-webhook"));
    this.retries = Executors.newSingleThreadScheduledExecutor(daemon("backstop-webhook-retry"));
    this.http = HttpClient.newBuilder().executor(io).connectTimeout(policy.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Queues {@code d} and returns at once; dropped (and counted) when too many are outstanding. */
  public void send(Delivery d) {
    if (outstanding.incrementAndGet() > policy.capacity()) {
      outstanding.decrementAndGet();
      LOG.warn("{}: webhook {} dropped: {} deliveries are outstanding already", d.what(), d.event(),
          policy.capacity());
      counter.accept(Outcome.dropped);
      return;
    }
    try {
      io.execute(() -> attempt(d, 1));
    } catch (RejectedExecutionException e) {
      done(d, Outcome.dropped, "Backstop is stopping");
    }
  }

  /** The signature header's value for {@code body} signed with {@code secret}. */
  public static String signature(String secret, byte[] body) {
    // The same HMAC the git hooks receiver checks, in GitHub's header form.
    return "sha256=" + HookSignature.hmacHex(body, secret);
  }

  private void attempt(Delivery d, int tryNumber) {
    HttpRequest request;
    try {
      request = request(d);
    } catch (SecretLookup.Missing e) {
      done(d, Outcome.failed, e.getMessage() + "; not sent unsigned");
      return;
    }
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error == null && response.statusCode() / 100 == 2) {
        done(d, Outcome.delivered, null);
        return;
      }
      String why = error != null ? error.getClass().getSimpleName()
          + (error.getMessage() == null ? "" : ": " + error.getMessage()) : "HTTP " + response.statusCode();
      if (tryNumber >= policy.attempts()) {
        done(d, Outcome.failed, why + " (" + tryNumber + " tries)");
        return;
      }
      Duration wait = policy.backoff(tryNumber);
      LOG.debug("{}: webhook {} try {} failed ({}); again in {} ms", d.what(), d.event(), tryNumber, why,
          wait.toMillis());
      try {
        retries.schedule(() -> attempt(d, tryNumber + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        done(d, Outcome.failed, why + "; Backstop is stopping");
      }
    });
  }

  private HttpRequest request(Delivery d) throws SecretLookup.Missing {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url().trim()))
        .timeout(policy.timeout())
        .header("Content-Type", d.contentType())
        .header("User-Agent", "backstop")
        .header(EVENT, d.event())
        .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
    if (d.secretRef() != null) {
      b.header(SIGNATURE, signature(secrets.secret(d.namespace(), d.secretRef().getName()), d.body()));
    }
    return b.build();
  }

  private void done(Delivery d, Outcome outcome, String why) {
    outstanding.decrementAndGet();
    counter.accept(outcome);
    if (outcome == Outcome.delivered) {
      LOG.debug("{}: webhook {} delivered", d.what(), d.event());
    } else {
      // The URL stays out: Slack's webhook URLs are credentials. The field path names it.
      LOG.warn("{}: webhook {} {}: {}", d.what(), d.event(), outcome, why);
    }
  }

  /** Deliveries queued, in flight or waiting to retry. */
  public int outstanding() {
    return outstanding.get();
  }

  @Override
  public void close() {
    retries.shutdownNow();
    io.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
