package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.AppliedEnv;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.api.v1alpha1.EnvFromSource;
import dev.backstop.operator.api.v1alpha1.EnvVar;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A release's stack variables (spec.compose.env over envFrom), resolved by a driver. Its values are
 * secret: {@link #toString} names keys only, and what the status keeps is {@link #applied()}.
 */
public final class StackEnv {

  /** No variables: a spec without env or envFrom. */
  public static final StackEnv NONE = new StackEnv(new TreeMap<>());

  // What compose interpolates (${NAME}) and a shell accepts; other Secret keys are skipped.
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final SortedMap<String, String> values;

  private StackEnv(SortedMap<String, String> values) {
    this.values = Collections.unmodifiableSortedMap(values);
  }

  /** Which kind of object an envFrom entry names. */
  public enum Kind {
    Secret,
    ConfigMap
  }

  /** Reads one envFrom source; a driver's port (API server or files). */
  @FunctionalInterface
  public interface SourceReader {
    /** Every key of the named object, or throws when it cannot be read. */
    Map<String, String> read(Kind kind, String name) throws Unreadable;
  }

  /** An envFrom source that cannot be read; the message names it, never a value. */
  public static final class Unreadable extends Exception {
    private final boolean missing;

    public Unreadable(String message, boolean missing) {
      super(message, null, false, false);
      this.missing = missing;
    }

    /** Not found, as opposed to found but unreadable (permissions, bad format). */
    public boolean missing() {
      return missing;
    }
  }

  /** Resolves spec.compose.envFrom (in order, later wins) then spec.compose.env on top. */
  public static StackEnv resolve(ComposeSpec compose, SourceReader reader) throws Unreadable {
    if (compose == null || (isEmpty(compose.getEnv()) && isEmpty(compose.getEnvFrom()))) {
      return NONE;
    }
    SortedMap<String, String> values = new TreeMap<>();
    for (EnvFromSource source : nullToEmpty(compose.getEnvFrom())) {
      Map<String, String> data = source.getSecretRef() != null
          ? reader.read(Kind.Secret, source.getSecretRef().getName())
          : reader.read(Kind.ConfigMap, source.getConfigMapRef().getName());
      data.forEach((k, v) -> {
        if (NAME.matcher(k).matches()) {
          values.put(k, v == null ? "" : v);
        }
      });
    }
    for (EnvVar var : nullToEmpty(compose.getEnv())) {
      values.put(var.getName(), var.getValue() == null ? "" : var.getValue());
    }
    return new StackEnv(values);
  }

  /** Literal values, for tests and local callers. */
  public static StackEnv of(Map<String, String> values) {
    return new StackEnv(new TreeMap<>(values));
  }

  /** Adds spec problems of env and envFrom to {@code problems}. */
  static void validate(ComposeSpec compose, List<String> problems) {
    List<EnvVar> env = nullToEmpty(compose.getEnv());
    for (int i = 0; i < env.size(); i++) {
      String name = env.get(i).getName();
      if (name == null || !NAME.matcher(name).matches()) {
        problems.add("spec.compose.env[" + i + "].name '" + name
            + "' is not a variable name: use letters, digits and '_', not starting with a digit");
      }
    }
    List<EnvFromSource> from = nullToEmpty(compose.getEnvFrom());
    for (int i = 0; i < from.size(); i++) {
      EnvFromSource s = from.get(i);
      boolean secret = s.getSecretRef() != null && s.getSecretRef().getName() != null;
      boolean configMap = s.getConfigMapRef() != null && s.getConfigMapRef().getName() != null;
      if (secret == configMap) {
        problems.add("spec.compose.envFrom[" + i + "] must name exactly one of secretRef and configMapRef");
      }
    }
  }

  /** The variables, sorted by name. Secret: never log or record them. */
  public SortedMap<String, String> values() {
    return values;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** SHA-256 (hex) of the sorted NAME=value pairs, NUL-separated so pairs cannot run together. */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      values.forEach((k, v) -> {
        sha.update(k.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '=');
        sha.update(v.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      });
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** What the status records once these variables are applied: names and the fingerprint. */
  public AppliedEnv applied() {
    return isEmpty() ? null : new AppliedEnv(fingerprint(), new ArrayList<>(values.keySet()));
  }

  /** Whether the containers, applied with {@code applied} (null = none), need these instead. */
  public boolean differsFrom(AppliedEnv applied) {
    if (applied == null || applied.getFingerprint() == null) {
      return !isEmpty();
    }
    return !applied.getFingerprint().equals(fingerprint());
  }

  /**
   * Says which keys changed since {@code applied}, by name: added and removed exactly; when only
   * values changed, the status holds no per-key hash to tell which, so the shared names are listed.
   */
  public String describeChange(AppliedEnv applied) {
    TreeSet<String> before = new TreeSet<>(applied == null ? List.of() : applied.getKeys());
    TreeSet<String> now = new TreeSet<>(values.keySet());
    List<String> parts = new ArrayList<>();
    TreeSet<String> added = new TreeSet<>(now);
    added.removeAll(before);
    TreeSet<String> removed = new TreeSet<>(before);
    removed.removeAll(now);
    if (!added.isEmpty()) {
      parts.add("added " + String.join(", ", added));
    }
    if (!removed.isEmpty()) {
      parts.add("removed " + String.join(", ", removed));
    }
    if (added.isEmpty() && removed.isEmpty()) {
      parts.add((now.size() == 1 ? "changed " : "changed one or more of ") + String.join(", ", now));
    }
    return "stack variables " + String.join("; ", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StackEnv other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values);
  }

  /** Names only: a value must never reach a log line through string concatenation. */
  @Override
  public String toString() {
    return "StackEnv" + values.keySet();
  }

  private static boolean isEmpty(List<?> list) {
    return list == null || list.isEmpty();
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
