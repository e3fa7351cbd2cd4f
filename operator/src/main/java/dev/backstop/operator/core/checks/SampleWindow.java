package dev.backstop.operator.core.checks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The recent samples of one http check, bounded by age and count; thread-safe. */
public final class SampleWindow {

  private final Deque<HttpSample> samples = new ArrayDeque<>();
  private final int maxSamples;

  public SampleWindow(int maxSamples) {
    this.maxSamples = maxSamples;
  }

  /** Adds a sample and forgets those older than {@code keep} before it. */
  public synchronized void add(HttpSample sample, Duration keep) {
    samples.addLast(sample);
    Instant oldest = sample.at().minus(keep);
    while (!samples.isEmpty() && (samples.size() > maxSamples || samples.peekFirst().at().isBefore(oldest))) {
      samples.removeFirst();
    }
  }

  public synchronized List<HttpSample> snapshot() {
    return List.copyOf(samples);
  }

  public synchronized HttpSample latest() {
    return samples.peekLast();
  }
}
