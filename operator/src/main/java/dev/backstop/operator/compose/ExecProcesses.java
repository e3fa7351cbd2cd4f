package dev.backstop.operator.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectExecResponse;
import java.util.List;
import java.util.Optional;

/**
 * Stops `docker exec` commands that outlived their deadline, which Docker itself never does: a
 * killed client (docker-java callback or `docker exec` CLI) leaves the command running in the
 * container. Docker reports an exec's PID in the host's namespace, so this works where the engine
 * runs on this host (a local socket); for a remote engine the command is left running, and said so.
 */
public final class ExecProcesses {

  private ExecProcesses() {}

  /**
   * Kills the exec {@code execId} and everything it started.
   *
   * @return what became of it, as a clause for a failure message ("; it was killed")
   */
  public static String kill(DockerClient client, DockerEndpoint endpoint, String execId) {
    if (!local(endpoint)) {
      return "; it is left running (a remote engine's processes cannot be killed from here)";
    }
    try {
      Long pid = client.inspectExecCmd(execId).exec().getPidLong();
      if (pid == null || pid <= 0) {
        return "";
      }
      return killTree(pid) ? "; it was killed" : "; it could not be killed (its process is not visible from here)";
    } catch (RuntimeException e) {
      return "; it could not be killed: " + e.getMessage();
    }
  }

  /**
   * Kills the running exec of {@code container} whose arguments include {@code marker}: for
   * commands run through the `docker exec` CLI, whose exec id the caller never learns.
   */
  public static String killMarked(DockerClient client, DockerEndpoint endpoint, String container, String marker) {
    try {
      List<String> ids = client.inspectContainerCmd(container).exec().getExecIds();
      for (String id : ids == null ? List.<String>of() : ids) {
        InspectExecResponse exec = client.inspectExecCmd(id).exec();
        List<String> args = Optional.ofNullable(exec.getProcessConfig()).map(p -> p.getArguments()).orElse(List.of());
        if (Boolean.TRUE.equals(exec.isRunning()) && args.contains(marker)) {
          return kill(client, endpoint, id);
        }
      }
      return "";
    } catch (RuntimeException e) {
      return "; it could not be killed: " + e.getMessage();
    }
  }

  private static boolean local(DockerEndpoint endpoint) {
    String env = System.getenv("DOCKER_HOST");
    return (endpoint.host() == null || endpoint.host().startsWith("unix://"))
        && (env == null || env.startsWith("unix://"));
  }

  // Children first: a shell's children are re-parented once it dies and out of reach by then.
  private static boolean killTree(long pid) {
    Optional<ProcessHandle> root = ProcessHandle.of(pid);
    root.ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
    return root.map(ProcessHandle::destroyForcibly).orElse(false);
  }
}
