package dev.backstop.operator.compose;

import java.nio.file.Path;
import java.util.List;

/**
 * One compose project as the CLI sees it.
 *
 * @param name project name (-p)
 * @param directory project directory (--project-directory), inside a per-commit checkout
 * @param files compose files relative to directory (-f); empty = Compose's default lookup
 * @param envFiles env files relative to directory (--env-file)
 * @param dockerHost how the CLI reaches the engine; null = the local engine
 */
public record ComposeProject(
    String name, Path directory, List<String> files, List<String> envFiles, DockerEndpoint dockerHost) {

  public ComposeProject {
    files = files == null ? List.of() : List.copyOf(files);
    envFiles = envFiles == null ? List.of() : List.copyOf(envFiles);
    dockerHost = dockerHost == null ? DockerEndpoint.LOCAL : dockerHost;
  }
}
