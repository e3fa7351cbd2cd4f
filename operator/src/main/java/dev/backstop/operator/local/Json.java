package dev.backstop.operator.local;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON settings of the local state directory, shared by its writers and readers. */
public final class Json {

  // Readers tolerate unknown fields so that a state directory survives an upgrade or downgrade.
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  // A fixed "\n" keeps files byte-identical across platforms, which change detection relies on.
  private static final ObjectWriter WRITER =
      MAPPER.writer(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));

  private Json() {}

  /** A private copy, free to reconfigure. */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }

  /** Pretty-printing writer; its output for equal values is byte-identical. */
  public static ObjectWriter writer() {
    return WRITER;
  }

  public static ObjectReader readerFor(Class<?> type) {
    return MAPPER.readerFor(type);
  }
}
