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

  /** A copy of {@code status} with every string redacted. */
  StagingReleaseStatus redact(StagingReleaseStatus status) {
    if (status == null) {
      return null;
    }
    JsonNode tree = JSON.valueToTree(status);
    try {
      return JSON.treeToValue(redact(tree), StagingReleaseStatus.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Our own type read back from its own tree: only a bug gets here.
      throw new IllegalStateException("cannot copy a status for redaction: " + e.getOriginalMessage(), e);
    }
  }

  private JsonNode redact(JsonNode node) {
    if (node.isTextual()) {
      String text = node.textValue();
      String redacted = redactor.redact(text);
      return redacted.equals(text) ? node : TextNode.valueOf(redacted);
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
