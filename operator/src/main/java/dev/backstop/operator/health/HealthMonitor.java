package dev.backstop.operator.health;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.core.CheckResult;
import dev.backstop.operator.core.CheckResult.Outcome;
import dev.backstop.operator.core.ContainerState;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.checks.Check;
import dev.backstop.operator.core.checks.ExecCheck;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.PrometheusCheck;
import dev.backstop.operator.core.checks.QueryErrorRateCheck;
import dev.backstop.operator.core.checks.ResponseTimeCheck;
import dev.backstop.operator.core.checks.SampleErrorRateCheck;
import dev.backstop.operator.core.checks.SampleWindow;
import dev.backstop.operator.core.checks.Thresholds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the probed checks of every release in the background, each on its own interval, on a pool
 * shared by all releases: a slow target holds one thread for its own timeout and nothing else
 * waits for it. A reconcile only reads the latest results ({@link #results}); a new result that is
 * not a pass, or that changes a check's outcome, is reported to the listener so the release is
 * reconciled at once instead of at its next requeue.
 */
public final class HealthMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  // Enough samples for a 1 s interval over a 10 minute window.
  private static final int MAX_SAMPLES = 600;

  /**
   * What probes need to know about the running stack, refreshed at every reconcile.
   *
   * @param dockerHost how to reach the release's engine; null = the local engine
   * @param containers the containers of the project
   * @param services the services the running commit's compose files define
   */
  public record Target(DockerEndpoint dockerHost, List<ContainerState> containers, List<String> services) {
    public Target {
      dockerHost = dockerHost == null ? DockerEndpoint.LOCAL : dockerHost;
    }
  }

  private final Probes probes;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final ExecutorService pool;
  private final Map<String, Release> releases = new ConcurrentHashMap<>();
  private volatile Consumer<String> listener = name -> {};
  private volatile ProbeTimings timings = (release, check, took) -> {};

  /** Told how long each background probe took (metrics): release key, check name, duration. */
  @FunctionalInterface
  public interface ProbeTimings {
    void probed(String release, String check, Duration took);
  }

  public HealthMonitor(Probes probes, Clock clock) {
    this.probes = probes;
    this.clock = clock;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("health-timer"));
    this.pool = Executors.newCachedThreadPool(daemon("health-probe"));
  }

  /** Who is told that a release has news: the driver reconciles it now. */
  public void onNews(Consumer<String> listener) {
    this.listener = Objects.requireNonNull(listener);
  }

  /** Who is told how long each background probe took. */
  public void onProbed(ProbeTimings timings) {
    this.timings = Objects.requireNonNull(timings);
  }

  /**
   * The latest result of every probed check of a release (http, responseTime, errorRate, exec,
   * prometheus) since {@code epoch} began; starts or reschedules its probes when the checks or the
   * epoch changed. Never blocks on a probe.
   *
   * @param epoch what runs, e.g. commit and apply time: a new epoch discards older samples
   */
  public List<CheckResult> results(String release, ReleaseSettings settings, String epoch, Target target) {
    Release r = releases.compute(release, (name, old) -> {
      String plan = settings.checks().toString();
      if (old != null && old.plan.equals(plan) && old.epoch.equals(epoch)) {
        return old;
      }
      if (old != null) {
        old.stop();
      }
      Release fresh = new Release(name, settings, plan, epoch);
      // Before start: the first probes run at once, on other threads, and must not see the empty
      // default target (an exec check would find no container and no services, and fail).
      fresh.target = target;
      fresh.start();
      return fresh;
    });
    r.target = target;
    return r.snapshot();
  }

  /** Stops probing a release (its manifest is gone). */
  public void forget(String release) {
    Release r = releases.remove(release);
    if (r != null) {
      r.stop();
    }
  }

  /**
   * Runs every probed check once now, concurrently, each bounded by its timeout: what
   * {@code backstop verify} shows. serviceHealth is not included (it needs no probe).
   */
  public List<CheckResult> runOnce(ReleaseSettings settings, Target target) {
    Release r = new Release("verify", settings, "", "");
    r.target = target;
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (Check c : settings.checks()) {
      if (probed(c)) {
        running.add(pool.submit(() -> r.probe(c)));
      }
    }
    for (java.util.concurrent.Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.warn("a probe failed unexpectedly", e.getCause());
      }
    }
    return r.snapshot();
  }

  /** Checks that run a probe of their own; responseTime and errorRate over http ride on their http check. */
  static boolean probed(Check c) {
    return c instanceof HttpCheck
        || c instanceof ExecCheck
        || c instanceof PrometheusCheck
        || c instanceof QueryErrorRateCheck;
  }

  @Override
  public void close() {
    releases.values().forEach(Release::stop);
    releases.clear();
    timer.shutdownNow();
    pool.shutdownNow();
  }

  /** The probes, samples and latest results of one release in one epoch. */
  private final class Release {
    final String name;
    final ReleaseSettings settings;
    final String plan;
    final String epoch;
    final Map<String, CheckResult> latest = new ConcurrentHashMap<>();
    final Map<String, SampleWindow> windows = new ConcurrentHashMap<>();
    // http checks that have had a response in this epoch; requests before it are start-up, not errors.
    final java.util.Set<String> answered = ConcurrentHashMap.newKeySet();
    // Checks whose probe is running now: never two of one check at a time.
    final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();
    // Checks whose turn came while their probe ran: the turn runs as soon as that probe returns.
    final java.util.Set<String> owed = ConcurrentHashMap.newKeySet();
    // Guards inFlight with owed, and a probe's results against its own overdue verdicts.
    private final Object lock = new Object();
    final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    volatile Target target = new Target(null, List.of(), List.of());
    volatile boolean stopped;

    Release(String name, ReleaseSettings settings, String plan, String epoch) {
      this.name = name;
      this.settings = settings;
      this.plan = plan;
      this.epoch = epoch;
    }

    synchronized void start() {
      for (Check c : settings.checks()) {
        if (probed(c)) {
          schedule(c);
        }
      }
    }

    /**
     * Probes start one interval apart on the timer, whether or not the last one returned: a probe
     * that hangs must not stop its check's clock (its result ages, and Staleness fails it). A
     * probe still running when the next is due is not doubled; that turn runs as soon as it
     * returns, so a slow app is probed back to back instead of every other interval.
     */
    private synchronized void schedule(Check c) {
      if (stopped) {
        return;
      }
      try {
        schedules.add(timer.scheduleAtFixedRate(() -> submit(c), 0, c.interval().toMillis(), TimeUnit.MILLISECONDS));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("{}: not scheduling check {}: shutting down", name, c.name());
      }
    }

    private void submit(Check c) {
      if (stopped || !claim(c)) {
        return;
      }
      try {
        pool.execute(() -> {
          long started = System.nanoTime();
          try {
            probe(c);
          } catch (RuntimeException e) {
            LOG.warn("{}: check {} failed unexpectedly", name, c.name(), e);
          } finally {
            boolean again = returned(c);
            if (!stopped) {
              timings.probed(name, c.name(), Duration.ofNanos(System.nanoTime() - started));
            }
            if (again) {
              submit(c);
            }
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        returned(c);
        LOG.debug("{}: not probing check {}: shutting down", name, c.name());
      }
    }

    /** Whether this turn may probe now; if one is running, the turn is owed to it. */
    private boolean claim(Check c) {
      synchronized (lock) {
        if (inFlight.add(c.name())) {
          return true;
        }
        owed.add(c.name());
        return false;
      }
    }

    /** Marks the check's probe returned; whether a turn came meanwhile and should run now. */
    private boolean returned(Check c) {
      synchronized (lock) {
        inFlight.remove(c.name());
        return owed.remove(c.name());
      }
    }

    void probe(Check c) {
      Instant at = clock.instant();
      List<CheckResult> news = new ArrayList<>();
      AtomicBoolean done = new AtomicBoolean();
      if (c instanceof HttpCheck h) {
        List<ScheduledFuture<?>> watches = answered.contains(h.name()) ? watchLimits(h, at, done) : List.of();
        HttpSample sample;
        try {
          sample = probes.http(h, at);
        } finally {
          watches.forEach(w -> w.cancel(false));
        }
        if (!answered.contains(h.name()) && !Thresholds.answered(sample)) {
          // The app of a fresh deploy is still starting: not an error yet (serviceHealth and the
          // progress deadline catch one that never answers).
          news.add(Thresholds.awaitingFirstResponse(h, sample));
        } else {
          answered.add(h.name());
          SampleWindow window = windows.computeIfAbsent(h.name(), k -> new SampleWindow(MAX_SAMPLES));
          window.add(sample, longestWindow(h.name()));
          news.add(Thresholds.http(h, sample));
          for (Check d : settings.checks()) {
            if (d instanceof ResponseTimeCheck rt && rt.source().equals(h.name())) {
              news.add(Thresholds.responseTime(rt, sample));
            } else if (d instanceof SampleErrorRateCheck er && er.source().equals(h.name())) {
              news.add(Thresholds.errorRate(er, window.snapshot(), sample.at()));
            }
          }
        }
      } else if (c instanceof ExecCheck e) {
        news.add(exec(e, at));
      } else if (c instanceof PrometheusCheck p) {
        news.add(Thresholds.query(p, probes.query(p.url(), p.query(), p.timeout()), at));
      } else if (c instanceof QueryErrorRateCheck q) {
        news.add(Thresholds.query(q, probes.query(q.url(), q.query(), q.timeout()), at));
      } else {
        return;
      }
      if (stopped) {
        return;
      }
      boolean tell = false;
      synchronized (lock) {
        done.set(true);
        for (CheckResult result : news) {
          CheckResult before = latest.put(result.check(), result);
          tell |= result.outcome() != Outcome.PASS || before == null || before.outcome() != result.outcome();
        }
      }
      if (tell) {
        listener.accept(name);
      }
    }

    /**
     * Fails each responseTime check over {@code h} once its limit passes with the request started
     * {@code at} still unanswered: a slow app is judged at the limit, not after its slow answer.
     * The verdict carries the probe's start, so the answer, when it comes, is not counted again.
     */
    private List<ScheduledFuture<?>> watchLimits(HttpCheck h, Instant at, AtomicBoolean done) {
      List<ScheduledFuture<?>> watches = new ArrayList<>();
      for (Check d : settings.checks()) {
        if (d instanceof ResponseTimeCheck rt && rt.source().equals(h.name()) && rt.limit().compareTo(h.timeout()) < 0) {
          Runnable overdue = () -> {
            synchronized (lock) {
              if (done.get() || stopped) {
                return;
              }
              latest.put(rt.name(), Thresholds.responseTimeOverdue(rt, at));
            }
            listener.accept(name);
          };
          try {
            watches.add(timer.schedule(overdue, rt.limit().toNanos() + 1, TimeUnit.NANOSECONDS));
          } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("{}: not watching check {}: shutting down", name, rt.name());
          }
        }
      }
      return watches;
    }

    private CheckResult exec(ExecCheck c, Instant at) {
      Target t = target;
      Optional<ContainerState> container = Thresholds.execContainer(c, t.containers());
      return Thresholds.execUnrunnable(c, t.services(), container, at).orElseGet(() ->
          Thresholds.exec(c, probes.exec(t.dockerHost(), container.get().id(), c.command(), c.timeout()), at));
    }

    private Duration longestWindow(String http) {
      Duration keep = Duration.ZERO;
      for (Check d : settings.checks()) {
        if (d instanceof SampleErrorRateCheck er && http.equals(er.source()) && er.window().compareTo(keep) > 0) {
          keep = er.window();
        }
      }
      return keep;
    }

    List<CheckResult> snapshot() {
      List<CheckResult> all = new ArrayList<>();
      for (Check c : settings.checks()) {
        CheckResult r = latest.get(c.name());
        if (r != null) {
          all.add(r);
        }
      }
      return all;
    }

    synchronized void stop() {
      stopped = true;
      schedules.forEach(f -> f.cancel(false));
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
