package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.NotifyEvent;
import dev.backstop.operator.api.v1alpha1.RollbackSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.WebhookSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Validation of spec.notify and spec.rollback.reportsToKeep, the same in both modes. */
public final class NotifyRules {

  /** Reports kept when spec.rollback.reportsToKeep is not set. */
  public static final int DEFAULT_REPORTS_TO_KEEP = 10;

  static final int MAX_REPORTS_TO_KEEP = 100;

  private NotifyRules() {}

  /** The number of rollback reports to keep for {@code spec} (validated by {@link #check}). */
  public static int reportsToKeep(StagingReleaseSpec spec) {
    RollbackSpec rollback = spec == null ? null : spec.getRollback();
    Integer keep = rollback == null ? null : rollback.getReportsToKeep();
    return keep == null ? DEFAULT_REPORTS_TO_KEEP : Math.max(1, Math.min(keep, MAX_REPORTS_TO_KEEP));
  }

  /** Adds a sentence naming the field to {@code problems} for every invalid notify setting. */
  static void check(List<String> problems, StagingReleaseSpec spec) {
    RollbackSpec rollback = spec.getRollback();
    Integer keep = rollback == null ? null : rollback.getReportsToKeep();
    if (keep != null && (keep < 1 || keep > MAX_REPORTS_TO_KEEP)) {
      problems.add("spec.rollback.reportsToKeep is " + keep + "; use 1 to " + MAX_REPORTS_TO_KEEP);
    }
    if (spec.getNotify() == null || spec.getNotify().getWebhooks() == null) {
      return;
    }
    List<WebhookSpec> hooks = spec.getNotify().getWebhooks();
    for (int i = 0; i < hooks.size(); i++) {
      String where = "spec.notify.webhooks[" + i + "]";
      WebhookSpec hook = hooks.get(i);
      if (hook == null) {
        problems.add(where + " is empty (null); remove it or give it a url");
        continue;
      }
      urlProblem(hook.getUrl()).ifPresent(p -> problems.add(where + ".url " + p));
      List<NotifyEvent> events = hook.getEvents();
      if (events != null && events.contains(null)) {
        problems.add(where + ".events holds an empty item; name events such as RollbackStarted");
      }
      if (hook.getSecretRef() != null
          && (hook.getSecretRef().getName() == null || hook.getSecretRef().getName().isBlank())) {
        problems.add(where + ".secretRef.name is required");
      }
    }
  }

  // The URL is not quoted back: a Slack webhook URL is itself a credential.
  private static Optional<String> urlProblem(String url) {
    if (url == null || url.isBlank()) {
      return Optional.of("is required");
    }
    try {
      URI uri = new URI(url.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return Optional.of("must start with http:// or https://");
      }
      if (uri.getHost() == null) {
        return Optional.of("has no host");
      }
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("is not a URL (" + e.getReason() + ")");
    }
  }
}
