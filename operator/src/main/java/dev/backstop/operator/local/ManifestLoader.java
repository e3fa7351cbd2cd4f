package dev.backstop.operator.local;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.SourceSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads StagingRelease manifests from a directory, admitting them as an API server would. */
public final class ManifestLoader {

  static final String API_VERSION = StagingRelease.GROUP + "/" + StagingRelease.VERSION;
  static final String KIND = "StagingRelease";

  // status is accepted (and ignored) so that `kubectl get -o yaml` output can be dropped in.
  private static final Set<String> TOP_LEVEL_FIELDS =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");

  private static final ObjectMapper YAML = newYamlMapper();

  private final Path dir;

  public ManifestLoader(Path dir) {
    this.dir = dir;
  }

  /** A private copy of the mapper manifests are read with. */
  public static ObjectMapper yamlMapper() {
    return YAML.copy();
  }

  private static ObjectMapper newYamlMapper() {
    ObjectMapper mapper =
        YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .addModule(new JavaTimeModule())
            .build();
    // YAML reads an unquoted 0123 as octal 83 and yes as true; a ref must never silently change.
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /**
   * Loads every manifest file of the directory; a file or document that is wrong becomes a problem
   * and never an exception.
   *
   * @throws IOException only when the directory itself cannot be listed
   */
  public ManifestSet load() throws IOException {
    Admission admission = new Admission();
    for (Path file : manifestFiles()) {
      List<Document> documents;
      try {
        documents = parse(file);
      } catch (UnreadableFile e) {
        admission.problems.add(new ManifestProblem(file, null, e.getMessage()));
        continue;
      }
      for (Document doc : documents) {
        try {
          admission.admit(doc);
        } catch (RuntimeException e) {
          // A bug in admitting one document must not stop every other manifest from loading.
          admission.problems.add(new ManifestProblem(file, null, doc.where() + ": cannot be read as a"
              + " StagingRelease (" + e.getClass().getSimpleName() + "); check it against the CRD"));
        }
      }
    }
    return new ManifestSet(admission.releases, admission.problems);
  }

  private List<Path> manifestFiles() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(path -> isManifestFileName(path.getFileName().toString()))
          .filter(Files::isRegularFile)
          .sorted(Comparator.comparing(path -> path.getFileName().toString()))
          .toList();
    }
  }

  // Editors park swap, backup and lock files next to the real ones (.x.yaml.swp, .#x.yaml,
  // x.yaml~);
  // half-written copies must not be admitted. Hidden names also skip ConfigMap mounts' ..data.
  static boolean isManifestFileName(String name) {
    if (name.startsWith(".") || name.endsWith("~")) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml");
  }

  // All or nothing per file: a syntax error can hide where documents start and end.
  private static List<Document> parse(Path file) throws UnreadableFile {
    List<JsonNode> nodes = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(Files.readAllBytes(file))) {
      while (parser.nextToken() != null) {
        lines.add(parser.currentTokenLocation().getLineNr());
        nodes.add(YAML.readTree(parser));
      }
    } catch (JsonProcessingException e) {
      throw new UnreadableFile(
          file.getFileName() + ": " + yamlError(e) + "; no document in this file was loaded");
    } catch (RuntimeException e) {
      // snakeyaml throws its own unchecked errors for some inputs (e.g. too many aliases).
      throw new UnreadableFile(file.getFileName() + ": not valid YAML (" + e.getClass().getSimpleName() + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); no document in this file was loaded");
    } catch (NoSuchFileException e) {
      return List.of(); // removed while the directory was being read
    } catch (AccessDeniedException e) {
      throw new UnreadableFile(file.getFileName() + ": cannot be read: permission denied");
    } catch (IOException e) {
      throw new UnreadableFile(file.getFileName() + ": cannot be read: " + e.getMessage());
    }
    List<Document> documents = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      documents.add(new Document(file, i + 1, nodes.size(), lines.get(i), nodes.get(i)));
    }
    return documents;
  }

  private static String yamlError(JsonProcessingException e) {
    // SnakeYAML knows where the problem is and what it was inside; Jackson only knows its position.
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      String message = "not valid YAML at " + at(yaml.getProblemMark()) + ": " + yaml.getProblem();
      if (yaml.getContext() != null && yaml.getContextMark() != null) {
        message += " (" + yaml.getContext() + " at " + at(yaml.getContextMark()) + ")";
      }
      return message;
    }
    JsonLocation location = e.getLocation();
    String what = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
    if (what.startsWith("Duplicate field")) {
      what = what.replace("Duplicate field", "duplicate key");
    }
    if (location == null) {
      // Limits (nesting depth, aliases, string length) trip before the parser has a position.
      return "not valid YAML: " + what;
    }
    return "not valid YAML at line "
        + location.getLineNr()
        + ", column "
        + location.getColumnNr()
        + ": "
        + what;
  }

  private static String at(Mark mark) {
    return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  /** One YAML document of a file, and how to point a person at it. */
  private record Document(Path file, int index, int count, int line, JsonNode node) {

    String where() {
      String name = file.getFileName().toString();
      return count > 1 ? name + ", document " + index + " (line " + line + ")" : name;
    }
  }

  /** The releases and problems of one load, and which document claimed each name first. */
  private static final class Admission {
    final List<StagingRelease> releases = new ArrayList<>();
    final List<ManifestProblem> problems = new ArrayList<>();
    final Map<String, Document> claimed = new HashMap<>();

    void admit(Document doc) {
      JsonNode node = doc.node();
      if (!node.isObject() || !isStagingRelease(doc)) {
        return;
      }
      String name = text(node.path("metadata"), "name");
      boolean validName = ReleaseName.isValid(name);
      if (validName && claimed.containsKey(name)) {
        // The first definition stays in charge; blaming its name would mark a good release failed.
        problems.add(
            new ManifestProblem(
                doc.file(),
                null,
                doc.where()
                    + ": metadata.name '"
                    + name
                    + "' is already defined in "
                    + claimed.get(name).where()
                    + "; rename or remove one of them"));
        return;
      }
      if (validName) {
        claimed.put(name, doc);
      }
      List<String> errors = new ArrayList<>();
      checkHeader(node, errors);
      ObjectMeta metadata = readMetadata(node, name, errors);
      StagingReleaseSpec spec = readSpec(node, errors);
      if (errors.isEmpty()) {
        StagingRelease release = new StagingRelease();
        release.setMetadata(metadata);
        release.setSpec(spec);
        releases.add(release);
        return;
      }
      String blamed = validName ? name : null;
      for (String error : errors) {
        problems.add(new ManifestProblem(doc.file(), blamed, doc.where() + ": " + error));
      }
    }

    // Other kinds are silently skipped: the directory may hold any Kubernetes manifests.
    private boolean isStagingRelease(Document doc) {
      String kind = text(doc.node(), "kind");
      String apiVersion = text(doc.node(), "apiVersion");
      if (kind == null) {
        if (API_VERSION.equals(apiVersion)) {
          report(doc, "kind is required; add kind: " + KIND);
        }
        return false;
      }
      if (!kind.equals(KIND)) {
        if (kind.equalsIgnoreCase(KIND)) {
          report(doc, "kind '" + kind + "' must be spelled " + KIND);
        } else if (apiVersion != null && apiVersion.startsWith(StagingRelease.GROUP + "/")) {
          // Other groups' kinds may share the directory; in ours there is only one.
          report(doc, "kind '" + kind + "' is not a kind of " + StagingRelease.GROUP + "; use " + KIND);
        }
        return false;
      }
      return true;
    }

    private void report(Document doc, String error) {
      String name = text(doc.node().path("metadata"), "name");
      String blamed = ReleaseName.isValid(name) ? name : null;
      problems.add(new ManifestProblem(doc.file(), blamed, doc.where() + ": " + error));
    }
  }

  private static void checkHeader(JsonNode node, List<String> errors) {
    String apiVersion = text(node, "apiVersion");
    if (apiVersion == null) {
      errors.add("apiVersion is required; add apiVersion: " + API_VERSION);
    } else if (!apiVersion.equals(API_VERSION)) {
      errors.add(
          "apiVersion '" + apiVersion + "' is not supported for " + KIND + "; use " + API_VERSION);
    }
    Iterator<String> fields = node.fieldNames();
    while (fields.hasNext()) {
      String field = fields.next();
      if (!TOP_LEVEL_FIELDS.contains(field)) {
        errors.add(
            field + " is not a known field; a manifest has apiVersion, kind, metadata and spec");
      }
    }
  }

  private static ObjectMeta readMetadata(JsonNode node, String name, List<String> errors) {
    JsonNode metadata = node.get("metadata");
    if (metadata == null || metadata.isNull()) {
      errors.add("metadata.name is required");
      return null;
    }
    if (!metadata.hasNonNull("name")) {
      errors.add("metadata.name is required");
    } else if (name != null && !ReleaseName.isValid(name)) {
      errors.add("metadata.name '" + name + "' is not allowed; use " + ReleaseName.RULE);
    }
    ObjectMeta meta = convert(metadata, ObjectMeta.class, "metadata", errors);
    if (meta != null && meta.getNamespace() == null) {
      meta.setNamespace("default");
    }
    return meta;
  }

  private static StagingReleaseSpec readSpec(JsonNode node, List<String> errors) {
    JsonNode specNode = node.get("spec");
    if (specNode == null || specNode.isNull()) {
      errors.add("spec is required; it needs at least spec.source.url and spec.source.ref");
      return null;
    }
    StagingReleaseSpec spec = convert(specNode, StagingReleaseSpec.class, "spec", errors);
    if (spec != null) {
      requireFields(spec, errors);
    }
    return spec;
  }

  // Mirrors the @Required fields of the API, which an API server would enforce through the CRD.
  private static void requireFields(StagingReleaseSpec spec, List<String> errors) {
    SourceSpec source = spec.getSource();
    if (source == null) {
      errors.add("spec.source is required; it needs url and ref");
    } else {
      requireText(source.getUrl(), "spec.source.url", errors);
      requireText(source.getRef(), "spec.source.ref", errors);
    }
    if (spec.getHealth() == null || spec.getHealth().getChecks() == null) {
      return;
    }
    List<HealthCheckSpec> checks = spec.getHealth().getChecks();
    for (int i = 0; i < checks.size(); i++) {
      String path = "spec.health.checks[" + i + "]";
      if (checks.get(i) == null) {
        errors.add(path + " is empty; a check needs name and type");
        continue;
      }
      requireText(checks.get(i).getName(), path + ".name", errors);
      if (checks.get(i).getType() == null) {
        errors.add(
            path
                + ".type is required; use one of: "
                + MappingErrors.allowedValues(YAML, CheckType.class));
      }
    }
  }

  private static void requireText(String value, String path, List<String> errors) {
    if (value == null || value.isBlank()) {
      errors.add(path + " is required");
    }
  }

  private static <T> T convert(JsonNode node, Class<T> type, String root, List<String> errors) {
    try {
      return YAML.treeToValue(node, type);
    } catch (JsonMappingException e) {
      errors.add(MappingErrors.describe(YAML, root, e));
    } catch (JsonProcessingException e) {
      errors.add(root + " could not be read: " + e.getOriginalMessage());
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** A file that yields no documents at all; its message is ready for people. */
  private static final class UnreadableFile extends Exception {
    UnreadableFile(String message) {
      super(message, null, false, false);
    }
  }
}
