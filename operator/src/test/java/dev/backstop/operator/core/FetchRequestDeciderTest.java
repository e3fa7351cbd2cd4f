package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The push webhook's request (backstop.dev/fetch) is acknowledged in status.handledRequests once
 * the observer went to the remote for it, and only then: one it skipped is fetched next time.
 */
class FetchRequestDeciderTest {

  private static final String FETCH = StagingRelease.FETCH_ANNOTATION;
  private static final String V1 = "1".repeat(40);
  private final ReleaseDecider decider = new ReleaseDecider();
  private final Instant now = Instant.parse("2026-12-02T03:00:00Z");
  private final ReleaseSettings settings;

  FetchRequestDeciderTest() {
    StagingReleaseSpec spec = new StagingReleaseSpec();
    SourceSpec source = new SourceSpec();
    source.setUrl("file:///repo");
    source.setRef("main");
    spec.setSource(source);
    settings = TestSettings.of("demo", spec);
  }

  private Observation observed(SourceState source, Map<String, String> requests) {
    return new Observation(1, source, List.of(), List.of(), null, requests);
  }

  @Test
  void aFetchedRequestIsHandledOnceAndANewValueIsNewAgain() {
    StagingReleaseStatus s = decider.decide(settings, null,
        observed(SourceState.resolved(V1, true), Map.of(FETCH, "t1 d1")), now).status();
    assertThat(s.getHandledRequests()).containsEntry(FETCH, "t1 d1");
    assertThat(ReleaseDecider.unhandled(s, Map.of(FETCH, "t1 d1"), FETCH)).isFalse();
    assertThat(ReleaseDecider.unhandled(s, Map.of(FETCH, "t2 d2"), FETCH)).isTrue();
    assertThat(s.getLastRequest()).as("no answer a CLI waiting for its own request would miss").isNull();
  }

  @Test
  void aRequestTheObserverDidNotFetchForStaysUnhandled() {
    StagingReleaseStatus s = decider.decide(settings, null,
        observed(SourceState.resolved(V1, false), Map.of(FETCH, "t1")), now).status();
    assertThat(ReleaseDecider.unhandled(s, Map.of(FETCH, "t1"), FETCH)).isTrue();
  }

  @Test
  void aFetchTheRemoteRefusedIsHandledAndTheBlockedOneIsNot() {
    StagingReleaseStatus tried = decider.decide(settings, null,
        observed(SourceState.failed(Reason.SourceUnavailable, "connection refused", false), Map.of(FETCH, "t1")),
        now).status();
    assertThat(tried.getHandledRequests()).as("pollInterval retries it, not every reconcile")
        .containsEntry(FETCH, "t1");
    StagingReleaseStatus blocked = decider.decide(settings, null,
        observed(SourceState.failed(Reason.InvalidSpec, "no url", false), Map.of(FETCH, "t1")), now).status();
    assertThat(blocked.getHandledRequests()).doesNotContainKey(FETCH);
  }
}
