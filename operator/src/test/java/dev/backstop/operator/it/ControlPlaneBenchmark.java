package dev.backstop.operator.it;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `make bench`: the API's latency while one release's apply is held, beside its idle latency. */
class ControlPlaneBenchmark {

  /** The target of the reconcile-loop issue, on this kind of machine. */
  static final double TARGET_P99_MS = 100;

  @TempDir Path tmp;

  @Test
  void apiLatencyWhileOneApplyIsHeld() throws Exception {
    try (HeldApplyScenario scenario = new HeldApplyScenario(tmp)) {
      HeldApplyScenario.Figures f = scenario.run();
      double idle = f.p(f.idleMillis(), 0.99);
      double held = f.p(f.heldMillis(), 0.99);
      System.out.printf("[bench] %-44s %10s %10s %8s%n", "/api/v1/releases", "p50 ms", "p99 ms", "reads");
      System.out.printf("[bench] %-44s %10.1f %10.1f %8d%n", "idle (baseline, same run)",
          f.p(f.idleMillis(), 0.5), idle, f.idleMillis().size());
      System.out.printf("[bench] %-44s %10.1f %10.1f %8d%n",
          "one apply held " + HeldApplyScenario.HOLD_SECONDS + " s, another rolls back",
          f.p(f.heldMillis(), 0.5), held, f.heldMillis().size());
      System.out.printf("[bench] held/idle p99 ratio %.2f; target p99 < %.0f ms: %s%n", held / idle, TARGET_P99_MS,
          held < TARGET_P99_MS ? "met" : "NOT met");
    }
  }
}
