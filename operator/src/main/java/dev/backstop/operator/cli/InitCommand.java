package dev.backstop.operator.cli;

import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.SubprocessEnv;
import dev.backstop.operator.core.StarterManifest;
import dev.backstop.operator.stack.RefPreview;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `backstop init`: a starting StagingRelease from a repository's compose files. */
@Command(
    name = "init",
    description = "Write a starting StagingRelease manifest from a repository's compose files: a serviceHealth"
        + " check, and an http check per published port whose service has an http healthcheck.")
final class InitCommand implements Callable<Integer> {

  @Option(names = "--repo", paramLabel = "URL", description = "The git repository: URL or path (default: the current directory).")
  String repo;

  @Option(names = "--ref", defaultValue = "main", paramLabel = "REF", description = "Branch, tag or commit to read (default: ${DEFAULT-VALUE}).")
  String ref;

  @Option(names = "--path", defaultValue = ".", paramLabel = "DIR",
      description = "Directory of the compose files in the repository (default: its root).")
  String composePath;

  @Option(names = "--name", paramLabel = "NAME", description = "The release's name (default: the repository's name).")
  String name;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the manifest here, never over an existing file (default: standard output).")
  Path output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String url = repo != null ? repo : Path.of("").toAbsolutePath().toString();
    if (output != null && Files.exists(output)) {
      throw new IllegalArgumentException("-o " + output + " exists; remove it or name another file");
    }
    String release = name != null ? name : StarterManifest.nameFor(url);
    String yaml;
    SubprocessEnv env = SubprocessEnv.inTempHome();
    try (RefPreview preview = new RefPreview(env)) {
      RefPreview.Rendered rendered =
          preview.render(release, url, ref, null, composePath, List.of(), List.of(), DockerEndpoint.LOCAL, Map.of());
      yaml = StarterManifest.yaml(release, url, ref, composePath, rendered.services());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output == null) {
      out.print(yaml);
    } else {
      Path parent = output.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(output, yaml, StandardOpenOption.CREATE_NEW);
      out.println("wrote " + output + "; start it with: backstop run --manifests " + parent);
    }
    out.flush();
    return 0;
  }
}
