package dev.backstop.operator.cluster;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.ReleaseEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the engine's transition events into core/v1 Kubernetes Events on the StagingRelease. */
final class KubeEventRecorder {

  static final String COMPONENT = "backstop";
  private static final Logger LOG = LoggerFactory.getLogger("backstop");
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();

  KubeEventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  void emit(StagingRelease release, ReleaseEvent e) {
    String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String namespace = release.getMetadata().getNamespace();
    String message = e.message() == null ? "" : e.message();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    // Unique names like kubectl's recorder: object name plus a time-ordered suffix.
    String name = release.getMetadata().getName() + "."
        + Long.toHexString(clock.millis() * 1000 + sequence.incrementAndGet() % 1000);
    Event event = new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(release.getApiVersion())
          .withKind(release.getKind())
          .withName(release.getMetadata().getName())
          .withNamespace(namespace)
          .withUid(release.getMetadata().getUid())
          .withResourceVersion(release.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(e.type().name())
        .withReason(e.reason().name())
        .withMessage(message)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
    LOG.info("{}/{}: {} {}: {}", namespace, release.getMetadata().getName(), e.type(), e.reason(), message);
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException ex) {
      // An Event is a courtesy; the status already says the same, so losing one must not fail a reconcile.
      LOG.warn("{}/{}: cannot record event {} (HTTP {})", namespace, release.getMetadata().getName(), e.reason(),
          ex.getCode());
    }
  }
}
