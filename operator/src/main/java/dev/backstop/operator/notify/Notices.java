package dev.backstop.operator.notify;

import dev.backstop.operator.api.v1alpha1.NotifyEvent;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.WebhookFormat;
import dev.backstop.operator.api.v1alpha1.WebhookSpec;
import dev.backstop.operator.core.NotifyRules;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Timestamps;
import dev.backstop.operator.engine.Recorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's "document" and "notify" steps, for either driver: wraps a release's recorder so
 * that each recorded status updates its kept rollback reports, and each deploy or rollback event
 * (from the same pure status diff as the driver's events) goes to the release's webhooks. Statuses
 * and events arrive here already redacted.
 */
public final class Notices implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("backstop");

  private final ReportStore store;
  private final Webhooks webhooks;
  private final Clock clock;
  // The kept reports per release key, read from the store on first use.
  private final Map<String, List<ReportEntry>> reports = new ConcurrentHashMap<>();

  public Notices(ReportStore store, Webhooks webhooks, Clock clock) {
    this.store = store;
    this.webhooks = webhooks;
    this.clock = clock;
  }

  /** {@code next}, also keeping reports and notifying webhooks for {@code release}. */
  public Recorder around(StagingRelease release, Recorder next) {
    return new Recorder() {
      private StagingReleaseStatus last;

      @Override
      public void record(StagingReleaseStatus status) throws RecordFailedException {
        next.record(status);
        last = status;
        keep(release, status);
      }

      @Override
      public void event(ReleaseEvent event) {
        next.event(event);
        tell(release, event, last);
      }
    };
  }

  /** Forgets a deleted release (its reports go with it: a file in its directory, an owned ConfigMap). */
  public void forget(StagingRelease release) {
    reports.remove(key(release));
  }

  private void keep(StagingRelease release, StagingReleaseStatus status) {
    String key = key(release);
    try {
      List<ReportEntry> kept = reports.get(key);
      if (kept == null) {
        kept = status.getLastRollback() == null ? List.of() : store.reports(release);
      }
      List<ReportEntry> next = ReportBook.update(kept, release.getMetadata().getNamespace(),
          release.getMetadata().getName(), status, NotifyRules.reportsToKeep(release.getSpec()));
      if (next != kept) {
        store.write(release, next);
      }
      reports.put(key, next);
    } catch (IOException | RuntimeException e) {
      // A report is documentation: the status holds lastRollback anyway, so the reconcile goes on.
      reports.remove(key);
      LOG.warn("{}: cannot keep the rollback report: {}", key, e.getMessage());
    }
  }

  private void tell(StagingRelease release, ReleaseEvent event, StagingReleaseStatus status) {
    NotifyEvent kind = kind(event.reason());
    StagingReleaseSpec spec = release.getSpec();
    if (kind == null || spec == null || spec.getNotify() == null || spec.getNotify().getWebhooks() == null) {
      return;
    }
    ReportEntry report = rollback(kind) ? ReportBook.find(reports.getOrDefault(key(release), List.of()), null)
        .orElse(null) : null;
    List<WebhookSpec> hooks = spec.getNotify().getWebhooks();
    for (int i = 0; i < hooks.size(); i++) {
      WebhookSpec hook = hooks.get(i);
      if (hook == null || hook.getUrl() == null
          || (hook.getEvents() != null && !hook.getEvents().isEmpty() && !hook.getEvents().contains(kind))) {
        continue;
      }
      boolean slack = hook.getFormat() == WebhookFormat.slack;
      String body = slack ? Json.write(Map.of("text", summary(release, event, report)))
          : Json.write(body(release, event, status, report));
      webhooks.send(new Webhooks.Delivery(key(release) + " spec.notify.webhooks[" + i + "]", hook.getUrl(),
          release.getMetadata().getNamespace(), hook.getSecretRef(), kind.name(), "application/json",
          body.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** The JSON body: the event, where the release stands, and for a rollback its report. */
  private Map<String, Object> body(
      StagingRelease release, ReleaseEvent event, StagingReleaseStatus status, ReportEntry report) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", event.reason().name());
    body.put("type", event.type().name());
    body.put("time", Timestamps.format(clock.instant()));
    if (release.getMetadata().getNamespace() != null) {
      body.put("namespace", release.getMetadata().getNamespace());
    }
    body.put("release", release.getMetadata().getName());
    body.put("message", event.message());
    if (status != null) {
      putIfSet(body, "phase", status.getPhase());
      putIfSet(body, "current", status.getCurrent());
      putIfSet(body, "desired", status.getDesired());
      putIfSet(body, "lastKnownGood", status.getLastKnownGood());
    }
    putIfSet(body, "report", report);
    return body;
  }

  private static String summary(StagingRelease release, ReleaseEvent event, ReportEntry report) {
    if (report != null) {
      return "Backstop " + event.reason() + ": " + ReportText.summary(report);
    }
    String where = release.getMetadata().getNamespace() == null ? release.getMetadata().getName()
        : release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
    return "Backstop " + event.reason() + ": " + where + ": " + event.message();
  }

  private static void putIfSet(Map<String, Object> body, String key, Object value) {
    if (value != null) {
      body.put(key, value);
    }
  }

  private static boolean rollback(NotifyEvent kind) {
    return kind == NotifyEvent.RollbackStarted || kind == NotifyEvent.RollbackSucceeded
        || kind == NotifyEvent.RollbackFailed;
  }

  /** The notify event of an engine event, or null for the ones webhooks are not told. */
  static NotifyEvent kind(ReleaseEvent.Kind reason) {
    return switch (reason) {
      case DeployStarted -> NotifyEvent.DeployStarted;
      case DeploySucceeded -> NotifyEvent.DeploySucceeded;
      case DeployFailed -> NotifyEvent.DeployFailed;
      case RollbackStarted -> NotifyEvent.RollbackStarted;
      case RollbackSucceeded -> NotifyEvent.RollbackSucceeded;
      case RollbackFailed -> NotifyEvent.RollbackFailed;
      default -> null;
    };
  }

  private static String key(StagingRelease release) {
    String ns = release.getMetadata().getNamespace();
    return ns == null ? release.getMetadata().getName() : ns + "/" + release.getMetadata().getName();
  }

  @Override
  public void close() {
    webhooks.close();
  }
}
