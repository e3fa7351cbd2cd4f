package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.ActionKind;
import dev.backstop.operator.api.v1alpha1.HistoryEntry;
import dev.backstop.operator.api.v1alpha1.RequestRecord;
import dev.backstop.operator.api.v1alpha1.Result;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.api.v1alpha1.Trigger;
import java.time.Instant;

/**
 * Every request annotation gets an answer in status: carried out, or refused with the reason, as
 * status.lastRequest and (when refused) a history note, so events and clients read it from there.
 */
final class RequestAnswers {

  private RequestAnswers() {}

  static void accept(StagingReleaseStatus s, Observation obs, String annotation, String message, Instant now) {
    s.setLastRequest(record(obs, annotation, true, message, now));
  }

  static void refuse(
      StagingReleaseStatus s,
      Observation obs,
      String annotation,
      ActionKind kind,
      Trigger trigger,
      String why,
      Instant now) {
    s.setLastRequest(record(obs, annotation, false, why, now));
    HistoryEntry h = new HistoryEntry();
    h.setAction(kind);
    h.setTrigger(trigger);
    h.setFrom(s.getCurrent() == null ? null : s.getCurrent().copy());
    h.setStartTime(Timestamps.format(now));
    h.setEndTime(Timestamps.format(now));
    h.setResult(Result.Refused);
    h.setReason("request refused: " + why);
    s.getHistory().add(0, h);
    while (s.getHistory().size() > ReleaseDecider.HISTORY_LIMIT) {
      s.getHistory().remove(s.getHistory().size() - 1);
    }
  }

  /** Why there is nowhere to roll back to. */
  static String noTarget(StagingReleaseStatus s) {
    if (s.getCurrent() == null) {
      return "nothing has been deployed yet, so there is nothing to roll back";
    }
    return "no earlier healthy commit to roll back to: " + Conditions.describe(s.getCurrent())
        + " runs and no other commit passed verification (or every one is quarantined)";
  }

  private static RequestRecord record(
      Observation obs, String annotation, boolean accepted, String message, Instant now) {
    RequestRecord r = new RequestRecord();
    r.setAnnotation(annotation);
    r.setValue(obs.requests().get(annotation));
    r.setAccepted(accepted);
    r.setMessage(message);
    r.setTime(Timestamps.format(now));
    return r;
  }
}
