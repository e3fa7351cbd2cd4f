package dev.backstop.operator.stack;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.ComposeTurns;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the compose runs that change containers (an apply's down and up, a teardown) per Docker
 * engine, in {@link ComposeTurns}' order. Every run of every release on one engine lands in the
 * same dockerd, containerd and runc: beyond a few at once they only share two cores more thinly.
 * The lock guards the bookkeeping only; nobody holds it while a command runs.
 */
public final class ComposeGate {

  /**
   * Runs at once per engine unless --compose-concurrency says otherwise. Measured with
   * ScaleBenchmark (50 releases rolling out on 2 cores, 4 workers): /api/v1/releases p99 71 ms and
   * 72 ms at 1, 95 ms and 136 ms at 2, 117 ms unbounded; the rollout took 31-32 s at 1, 27-36 s
   * at 2 and 27 s unbounded.
   */
  public static final int DEFAULT_LIMIT = 1;

  /**
   * How long a run holds its turn at most. The bound is there to spread bursts of short runs over
   * two cores, not to queue behind a long one: an `up` that waits minutes for a slow database's
   * healthcheck, or hangs until its timeout, must not hold every other release's deploy back.
   */
  public static final Duration LEASE = Duration.ofSeconds(10);

  /** A gate that never waits. */
  public static final ComposeGate UNBOUNDED = new ComposeGate(0);

  private static final Logger LOG = LoggerFactory.getLogger(ComposeGate.class);

  private final int limit;
  private final long leaseNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition turnTaken = lock.newCondition();
  // Guarded by lock.
  private final Map<String, ComposeTurns> engines = new HashMap<>();
  private final Set<Long> admitted = new HashSet<>();
  // Per engine, the runs holding a turn and since when (System.nanoTime).
  private final Map<String, Map<Long, Long>> held = new HashMap<>();
  private long tickets;

  /** @param limit compose runs at once per engine, 0 for no bound */
  public ComposeGate(int limit) {
    this(limit, LEASE);
  }

  /** @param lease how long a run holds its turn at most (tests shorten it) */
  ComposeGate(int limit, Duration lease) {
    if (limit < 0) {
      throw new IllegalArgumentException("--compose-concurrency must be 0 (no bound) or more, not " + limit);
    }
    this.limit = limit;
    this.leaseNanos = lease.toNanos();
  }

  /** Runs at once per engine, 0 for no bound. */
  public int limit() {
    return limit;
  }

  /** One run's turn on its engine; closing it lets the next one start. */
  public interface Turn extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for a turn on {@code endpoint}'s engine.
   *
   * @param who the release, for the log line of a run that had to wait
   * @throws InterruptedException when the thread was interrupted while waiting; it then holds no turn
   */
  public Turn enter(DockerEndpoint endpoint, ComposeTurns.Urgency urgency, String who) throws InterruptedException {
    if (limit == 0) {
      return () -> { };
    }
    String engine = engine(endpoint);
    long ticket;
    long waitStarted = System.nanoTime();
    lock.lock();
    try {
      ComposeTurns turns = engines.computeIfAbsent(engine, e -> new ComposeTurns(limit));
      ticket = ++tickets;
      if (!turns.request(ticket, urgency)) {
        LOG.info("{}: {} compose run waits for a turn on {} ({} running, {} waiting, at most {} at once)",
            who, urgency.name().toLowerCase(java.util.Locale.ROOT), engine, turns.running(),
            turns.waitingCount(), limit);
        try {
          while (!admitted.remove(ticket)) {
            long untilLapse = lapseOverdue(engine, turns);
            if (!admitted.contains(ticket)) {
              turnTaken.awaitNanos(untilLapse);
            }
          }
        } catch (InterruptedException e) {
          if (!turns.cancel(ticket) && admitted.remove(ticket)) {
            // Admitted just as it was interrupted: hand the turn on.
            release(turns);
          }
          throw e;
        }
        LOG.info("{}: compose run starts on {} after waiting {} ms", who, engine,
            (System.nanoTime() - waitStarted) / 1_000_000);
      }
      held.computeIfAbsent(engine, e -> new HashMap<>()).put(ticket, System.nanoTime());
    } finally {
      lock.unlock();
    }
    return () -> {
      lock.lock();
      try {
        // Absent when closed twice, or when its lease lapsed and the turn went on already.
        if (held.get(engine).remove(ticket) != null) {
          release(engines.get(engine));
        }
      } finally {
        lock.unlock();
      }
    };
  }

  /**
   * Hands on the turns of runs on {@code engine} that held theirs past the lease; they run on
   * beside the next. Holding lock.
   *
   * @return nanoseconds until the next lease lapses
   */
  private long lapseOverdue(String engine, ComposeTurns turns) {
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    for (var it = held.getOrDefault(engine, Map.of()).entrySet().iterator(); it.hasNext(); ) {
      var run = it.next();
      long left = run.getValue() + leaseNanos - now;
      if (left <= 0) {
        it.remove();
        LOG.info("a compose run on {} has held its turn for {} s: the next one starts beside it", engine,
            Duration.ofNanos(leaseNanos).toSeconds());
        release(turns);
      } else {
        next = Math.min(next, left);
      }
    }
    return next;
  }

  /** Compose runs under way and waiting on one engine. */
  public record Load(int running, int waiting) {}

  /** The load of {@code endpoint}'s engine now. */
  public Load load(DockerEndpoint endpoint) {
    lock.lock();
    try {
      ComposeTurns turns = engines.get(engine(endpoint));
      return turns == null ? new Load(0, 0) : new Load(turns.running(), turns.waitingCount());
    } finally {
      lock.unlock();
    }
  }

  /** Compose runs under way and waiting on all engines together. */
  public Load total() {
    lock.lock();
    try {
      int running = 0;
      int waiting = 0;
      for (ComposeTurns turns : engines.values()) {
        running += turns.running();
        waiting += turns.waitingCount();
      }
      return new Load(running, waiting);
    } finally {
      lock.unlock();
    }
  }

  // Holding lock.
  private void release(ComposeTurns turns) {
    admitted.addAll(turns.finished());
    turnTaken.signalAll();
  }

  /** The engine a run lands on: the same host with other TLS material is the same engine. */
  static String engine(DockerEndpoint endpoint) {
    return endpoint == null || endpoint.host() == null ? "the local engine" : endpoint.host();
  }
}
