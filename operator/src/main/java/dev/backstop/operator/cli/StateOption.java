package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.local.StatusStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a command finds releases: the local daemon's --state directory, or the Kubernetes API
 * when a kubectl option is given or the program runs as `kubectl-backstop`.
 */
final class StateOption {

  /** Set by the kubectl-backstop wrapper: the program is a kubectl plugin. */
  static final String PROGRAM_PROPERTY = "backstop.program";

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "State directory of the local daemon (default: $BACKSTOP_STATE or ./.backstop).")
  Path state;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Use the Kubernetes API with this kubeconfig (default: $KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Use the Kubernetes API with this kubeconfig context.")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Use the Kubernetes API in this namespace (default: the context's namespace).")
  String namespace;

  @Option(names = {"-A", "--all-namespaces"}, description = "Use the Kubernetes API; list releases of every namespace.")
  boolean allNamespaces;

  private ReleaseSource source;

  Path dir() {
    if (state != null) {
      return state.toAbsolutePath();
    }
    String env = System.getenv("BACKSTOP_STATE");
    return Path.of(env != null && !env.isBlank() ? env : ".backstop").toAbsolutePath();
  }

  StatusStore store() {
    return new StatusStore(dir());
  }

  /** Whether this command talks to the Kubernetes API rather than the local daemon. */
  boolean kube() {
    return kubeconfig != null || context != null || namespace != null || allNamespaces
        || "kubectl-backstop".equals(System.getProperty(PROGRAM_PROPERTY));
  }

  ReleaseSource source() {
    if (source == null) {
      if (kube() && state != null) {
        throw new IllegalArgumentException("--state is for the local daemon; drop it, or drop the kubectl options");
      }
      source = kube() ? new KubeApi(kubeconfig, context, namespace, allNamespaces) : new LocalState(dir());
    }
    return source;
  }

  /** The recorded status of {@code name}, or an error a person can act on. */
  StagingReleaseStatus status(String name) {
    return source().find(name).orElseThrow(() -> noSuchRelease(name));
  }

  IllegalArgumentException noSuchRelease(String name) {
    return source().noSuchRelease(name);
  }
}
