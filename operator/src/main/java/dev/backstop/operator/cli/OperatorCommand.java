package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.cluster.ClusterOperator;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.SecretFile;
import dev.backstop.operator.state.StateLayout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `backstop operator`: the Kubernetes operator, reconciling StagingRelease resources. */
@Command(
    name = "operator",
    description = "Run as a Kubernetes operator (kubeconfig, or in-cluster config in a pod).")
final class OperatorCommand implements Callable<Integer> {

  @Option(names = "--namespaces", paramLabel = "NS[,NS...]", split = ",",
      description = "Namespaces to watch (default: all).")
  String[] namespaces;

  @Option(names = "--state", paramLabel = "DIR", defaultValue = "/var/lib/backstop",
      description = "Directory for git caches and per-release checkouts (default: ${DEFAULT-VALUE}).")
  Path state;

  @Option(names = "--leader-election", negatable = true, defaultValue = "false", fallbackValue = "true",
      description = "Compete for a Lease so that only one replica acts (default: ${DEFAULT-VALUE}).")
  boolean leaderElection;

  @Option(names = "--lease-namespace", paramLabel = "NS",
      description = "Namespace of the Lease (default: the pod's or kubeconfig's namespace).")
  String leaseNamespace;

  @Option(names = "--port", defaultValue = "8080",
      description = "HTTP port for /healthz, /readyz and /metrics; -1 for none (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--workers", defaultValue = "" + ClusterOperator.Settings.DEFAULT_WORKERS,
      description = "Releases reconciled at the same time; each holds a thread while its compose command runs"
          + " (default: ${DEFAULT-VALUE}).")
  int workers;

  // A pod: serve the probes on every address, and hold tenants' stacks to Baseline.
  @Mixin ReconcilerOptions reconciler = new ReconcilerOptions("0.0.0.0", PolicyLevel.Baseline);

  @Option(names = "--allow-local-sources", defaultValue = "false",
      description = "Accept file:// and local-path spec.source.url values. They read the operator's own"
          + " filesystem, so any tenant could deploy another's cached code; off by default.")
  boolean allowLocalSources;

  @Option(names = "--hook-secret-file", paramLabel = "FILE",
      description = "The shared secret that push webhooks (POST /hooks/git on --port) are signed with;"
          + " without it every delivery is refused.")
  Path hookSecretFile;

  @Override
  public Integer call() throws Exception {
    Path stateDir = state.toAbsolutePath();
    // Statuses, saved specs, dumps and TLS keys live below: nobody else's to read.
    AtomicFile.createDirectories(stateDir, AtomicFile.Access.OWNER_ONLY);
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      Arrays.stream(namespaces).map(String::trim).filter(s -> !s.isEmpty()).forEach(watched::add);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // fabric8's defaults: KUBECONFIG / ~/.kube/config, or the service account inside a pod.
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        LiveStack stack = reconciler.liveStack(StateLayout.cluster(stateDir))) {
      ClusterOperator.Settings settings = ClusterOperator.Settings.builder(stateDir).namespaces(watched)
          .leaderElection(leaderElection, leaseNamespace).http(reconciler.bind, port).workers(workers)
          .allowLocalSources(allowLocalSources).hookSecret(hookSecret()).build();
      ClusterOperator operator = ClusterOperator.start(client, stack.loop(), stack.health(), stack.docker(),
          settings);
      System.out.println("backstop operator: watching " + (watched.isEmpty() ? "all namespaces" : watched)
          + " on " + client.getMasterUrl() + (leaderElection ? ", with leader election" : ""));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        operator.close();
        stopped.countDown();
      }, "shutdown"));
      stopped.await();
    }
    return 0;
  }

  private String hookSecret() throws IOException {
    if (hookSecretFile == null) {
      return null;
    }
    return SecretFile.read(hookSecretFile).orElseThrow(() -> new IllegalArgumentException("--hook-secret-file "
        + hookSecretFile + " is empty or missing; put the webhook secret in it"));
  }
}
