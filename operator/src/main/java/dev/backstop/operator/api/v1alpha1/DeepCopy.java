package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Deep copies of the API's plain classes through their JSON form, which is by definition all they
 * hold, so a copy can never miss a field added later.
 */
final class DeepCopy {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private DeepCopy() {}

  static <T> T of(T value, Class<T> type) {
    return MAPPER.convertValue(value, type);
  }
}
