package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Turns Jackson binding errors into a field path and what to write there. */
final class MappingErrors {

  private MappingErrors() {}

  // Jackson's own messages name Java classes, which mean nothing to someone editing YAML.
  static String describe(ObjectMapper mapper, String root, JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    String path = path(root, refs);
    if (e instanceof UnrecognizedPropertyException unknown) {
      String parent = path(root, refs.subList(0, Math.max(0, refs.size() - 1)));
      return path + " is not a known field; " + parent + " allows " + known(unknown);
    }
    Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    Object value = e instanceof InvalidFormatException f ? f.getValue() : null;
    if (target != null && target.isEnum()) {
      String given = value == null ? "this value" : "'" + value + "'";
      return path + ": " + given + " is not allowed; use one of: " + allowedValues(mapper, target);
    }
    if (target == String.class && value != null) {
      return path
          + " must be a string, but YAML read the unquoted value as "
          + value
          + "; put the value in quotes";
    }
    if (target != null) {
      return path + " must be " + expected(target);
    }
    return path + " is not valid";
  }

  // The spelling in YAML can differ from the constant's name (@JsonProperty), so ask the mapper.
  static String allowedValues(ObjectMapper mapper, Class<?> enumType) {
    return Arrays.stream(enumType.getEnumConstants())
        .map(constant -> mapper.convertValue(constant, JsonNode.class).asText())
        .collect(Collectors.joining(", "));
  }

  private static String path(String root, List<JsonMappingException.Reference> refs) {
    StringBuilder path = new StringBuilder(root);
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      }
    }
    return path.toString();
  }

  private static String known(UnrecognizedPropertyException e) {
    Collection<Object> ids = e.getKnownPropertyIds();
    if (ids == null || ids.isEmpty()) {
      return "no fields";
    }
    return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }

  private static String expected(Class<?> type) {
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a mapping of fields";
  }
}
