package dev.backstop.operator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What `backstop run` tells a person whose manifests directory holds no manifest yet. */
final class ManifestHint {

  private ManifestHint() {}

  static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.noneMatch(f -> {
        // The same files the manifest loader reads.
        String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return !n.startsWith(".") && !n.endsWith("~") && (n.endsWith(".yaml") || n.endsWith(".yml"));
      });
    }
  }

  static String text(Path dir) {
    Path file = dir.toAbsolutePath().resolve("my-app.yaml");
    return """
        no StagingRelease manifests in %s yet: put one there (any *.yaml file), e.g. %s:
          apiVersion: backstop.dev/v1alpha1
          kind: StagingRelease
          metadata:
            name: my-app
          spec:
            source:
              url: https://example.com/you/my-app.git
              ref: main
        Backstop picks it up without a restart; `backstop status -w` shows what happens.\
        """.formatted(dir.toAbsolutePath(), file);
  }
}
