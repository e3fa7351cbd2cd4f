package dev.backstop.operator.compose;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One compose project as the CLI sees it.
 *
 * @param name project name (-p)
 * @param directory project directory (--project-directory), inside a per-commit checkout
 * @param files compose files relative to directory (-f); empty = Compose's default lookup
 * @param envFiles env files relative to directory (--env-file)
 * @param dockerHost how the CLI reaches the engine; null = the local engine
 * @param environment stack variables for interpolation, added to the CLI child's environment on
 *     top of its base environment; values are secret
 */
public record ComposeProject(
    String name,
    Path directory,
    List<String> files,
    List<String> envFiles,
    DockerEndpoint dockerHost,
    Map<String, String> environment) {

  public ComposeProject {
    files = files == null ? List.of() : List.copyOf(files);
    envFiles = envFiles == null ? List.of() : List.copyOf(envFiles);
    dockerHost = dockerHost == null ? DockerEndpoint.LOCAL : dockerHost;
    environment = environment == null ? Map.of() : Map.copyOf(environment);
  }

  public ComposeProject(
      String name, Path directory, List<String> files, List<String> envFiles, DockerEndpoint dockerHost) {
    this(name, directory, files, envFiles, dockerHost, Map.of());
  }

  /** The same project with other compose files (e.g. an override added). */
  public ComposeProject withFiles(List<String> otherFiles) {
    return new ComposeProject(name, directory, otherFiles, envFiles, dockerHost, environment);
  }

  // Records print every component: the variables' values must not reach a log that way.
  @Override
  public String toString() {
    return "ComposeProject[name=" + name + ", directory=" + directory + ", files=" + files + ", envFiles="
        + envFiles + ", dockerHost=" + dockerHost + ", environment=" + new TreeMap<>(environment).keySet() + "]";
  }
}
