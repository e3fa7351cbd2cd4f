package dev.backstop.operator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.Redactor;
import java.util.Iterator;
import java.util.Map;

/**
 * A {@link Recorder} that passes every string of a status (messages, history reasons, reports,
 * backup commands) and every event message through a {@link Redactor} first, so that no driver,
 * file, event, log line or metric downstream ever holds a secret.
 */
final class RedactingRecorder implements Recorder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Recorder next;
  private final Redactor redactor;
  // The last status redacted and its redacted form: the loop records a status, then compares it
  // as recorded, and the same status is "before" of the step that follows.
  private StagingReleaseStatus lastIn;
  private StagingReleaseStatus lastOut;
  // Set by the tree walk when it replaced a string.
  private boolean changed;

  RedactingRecorder(Recorder next, Redactor redactor) {
    this.next = next;
    this.redactor = redactor;
  }

  @Override
  public void record(StagingReleaseStatus status) throws RecordFailedException {
    next.record(redact(status));
  }

  @Override
  public void event(ReleaseEvent event) {
    next.event(new ReleaseEvent(event.type(), event.reason(), redactor.redact(event.message())));
  }

  /**
   * {@code status} with every string redacted: a copy when a string changed, else {@code status}
   * itself (nobody changes a recorded status: the decider works on copies).
   */
  StagingReleaseStatus redact(StagingReleaseStatus status) {
    if (status == null) {
      return null;
    }
    if (status == lastIn) {
      return lastOut;
    }
    StagingReleaseStatus out = copyRedacted(status);
    lastIn = status;
    lastOut = out;
    return out;
  }

  private StagingReleaseStatus copyRedacted(StagingReleaseStatus status) {
    JsonNode tree = JSON.valueToTree(status);
    changed = false;
    JsonNode redacted = redact(tree);
    if (!changed) {
      return status;
    }
    try {
      return JSON.treeToValue(redacted, StagingReleaseStatus.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Our own type read back from its own tree: only a bug gets here.
      throw new IllegalStateException("cannot copy a status for redaction: " + e.getOriginalMessage(), e);
    }
  }

  private JsonNode redact(JsonNode node) {
    if (node.isTextual()) {
      String text = node.textValue();
      String redacted = redactor.redact(text);
      if (redacted.equals(text)) {
        return node;
      }
      changed = true;
      return TextNode.valueOf(redacted);
    }
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        field.setValue(redact(field.getValue()));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redact(array.get(i)));
      }
    }
    return node;
  }
}
