package dev.backstop.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 7386 JSON merge patch between two documents. Sending the new status alone would not do: a
 * field the new status omits (an operation that ended) would survive a merge patch.
 */
final class MergePatch {

  private MergePatch() {}

  /** The patch that turns {@code before} into {@code after}; an empty object when equal. */
  static ObjectNode diff(JsonNode before, JsonNode after) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode from = before != null && before.isObject() ? (ObjectNode) before : JsonNodeFactory.instance.objectNode();
    for (Iterator<String> names = from.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!after.has(name) || after.get(name).isNull()) {
        patch.putNull(name);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = after.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode old = from.get(field.getKey());
      JsonNode now = field.getValue();
      if (now.isNull() || now.equals(old)) {
        continue;
      }
      if (now.isObject() && old != null && old.isObject()) {
        patch.set(field.getKey(), diff(old, now));
      } else {
        // Arrays and scalars are replaced whole, as RFC 7386 says.
        patch.set(field.getKey(), now);
      }
    }
    return patch;
  }
}
