package dev.backstop.operator.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The one JSON form of reports, notes and webhook bodies, so that files, ConfigMaps and bodies agree. */
public final class Json {

  // Readers tolerate unknown fields: reports written by a newer version stay readable.
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  /** {@code value} as JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Our own records and API classes: only a bug gets here.
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** {@code value} as indented JSON, for people. */
  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** Kept reports as {@link #write} wrote them. */
  public static List<ReportEntry> reports(String text) throws IOException {
    return MAPPER.readValue(text, new TypeReference<List<ReportEntry>>() {});
  }

  /** Notes by report id as {@link #write} wrote them. */
  public static Map<Integer, ReportNotes> notes(String text) throws IOException {
    return new TreeMap<>(MAPPER.readValue(text, new TypeReference<Map<Integer, ReportNotes>>() {}));
  }
}
