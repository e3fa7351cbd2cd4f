package dev.backstop.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The structural checks an API server makes against a CRD's openAPIV3Schema, for tests: the
 * fabric8 mock server stores whatever it is sent. Covers type, required, enum, pattern, lengths,
 * minimum/maximum, maxItems, nullable and unknown fields (as kubectl's default strict field
 * validation rejects them). It does not evaluate x-kubernetes-validations (CEL): there is no CEL
 * engine here, so rules only the CEL expresses are left to the operator's own validation.
 */
final class CrdSchemaCheck {

  private static final java.util.Set<String> ROOT_FIELDS = java.util.Set.of("apiVersion", "kind", "metadata");

  private CrdSchemaCheck() {}

  /** Every violation, each with its field path; empty when the object is admitted. */
  static List<String> violations(JsonNode value, JSONSchemaProps schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "", out);
    return out;
  }

  private static void check(JsonNode v, JSONSchemaProps s, String path, List<String> out) {
    if (v == null || v.isNull()) {
      if (!Boolean.TRUE.equals(s.getNullable())) {
        out.add(path + ": null is not allowed");
      }
      return;
    }
    String type = s.getType();
    if (Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
      if (!v.isTextual() && !v.isIntegralNumber()) {
        out.add(path + ": must be an integer or a string");
      }
      return;
    }
    if (type != null && !hasType(v, type)) {
      out.add(path + ": must be of type " + type);
      return;
    }
    if (s.getEnum() != null && !s.getEnum().isEmpty() && !s.getEnum().contains(v)) {
      out.add(path + ": must be one of " + s.getEnum());
    }
    if (v.isTextual()) {
      String t = v.asText();
      if (s.getMaxLength() != null && t.length() > s.getMaxLength()) {
        out.add(path + ": longer than " + s.getMaxLength());
      }
      if (s.getMinLength() != null && t.length() < s.getMinLength()) {
        out.add(path + ": shorter than " + s.getMinLength());
      }
      if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(t).find()) {
        out.add(path + ": does not match " + s.getPattern());
      }
    }
    if (v.isNumber()) {
      if (s.getMinimum() != null && v.asDouble() < s.getMinimum()) {
        out.add(path + ": less than " + s.getMinimum());
      }
      if (s.getMaximum() != null && v.asDouble() > s.getMaximum()) {
        out.add(path + ": more than " + s.getMaximum());
      }
      if ("integer".equals(type) && !v.canConvertToLong()) {
        out.add(path + ": integer out of range");
      }
    }
    if (v.isArray()) {
      if (s.getMaxItems() != null && v.size() > s.getMaxItems()) {
        out.add(path + ": more than " + s.getMaxItems() + " items");
      }
      JSONSchemaProps items = s.getItems() == null ? null : s.getItems().getSchema();
      for (int i = 0; items != null && i < v.size(); i++) {
        check(v.get(i), items, path + "[" + i + "]", out);
      }
    }
    if (v.isObject()) {
      Map<String, JSONSchemaProps> props = s.getProperties();
      for (String r : s.getRequired() == null ? List.<String>of() : s.getRequired()) {
        if (!v.has(r)) {
          out.add(path + "." + r + ": required");
        }
      }
      boolean open = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields())
          || (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null);
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JSONSchemaProps p = props == null ? null : props.get(f.getKey());
        if (p == null && s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
          p = s.getAdditionalProperties().getSchema();
        }
        if (path.isEmpty() && ROOT_FIELDS.contains(f.getKey())) {
          // The API server checks these itself; generated CRD schemas leave them out.
          continue;
        }
        if (p != null) {
          check(f.getValue(), p, path + "." + f.getKey(), out);
        } else if (!open && props != null) {
          out.add(path + "." + f.getKey() + ": unknown field");
        }
      }
    }
  }

  private static boolean hasType(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> true;
    };
  }
}
