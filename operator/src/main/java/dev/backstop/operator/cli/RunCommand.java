package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import dev.backstop.operator.compose.DockerContainerEvents;
import dev.backstop.operator.local.LocalDaemon;
import dev.backstop.operator.stack.LiveStack;
import dev.backstop.operator.state.AtomicFile;
import dev.backstop.operator.state.StateLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `backstop run`: local mode, reconciling the StagingReleases of a directory. */
@Command(
    name = "run",
    description = "Run locally: reconcile every StagingRelease in a directory of manifests.")
final class RunCommand implements Callable<Integer> {

  @Option(names = "--manifests", required = true, paramLabel = "DIR", description = "Directory of StagingRelease YAML files; created when missing.")
  Path manifests;

  @Mixin StateOption state;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port for /healthz, /metrics and /api/v1/releases; -1 for none (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to serve on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--workers", defaultValue = "4", description = "Releases reconciled at the same time (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--compose-policy", defaultValue = "Privileged", paramLabel = "LEVEL",
      description = "Loosest compose policy a release may run under: Privileged, Baseline or Restricted;"
          + " releases that name none get it (default: ${DEFAULT-VALUE}).")
  PolicyLevel composePolicy;

  @Option(names = "--stack-env", paramLabel = "NAME[,NAME...]", split = ",",
      description = "Variables of this process's environment that every stack's compose files may use;"
          + " nothing else of it reaches docker compose (default: none).")
  Set<String> stackEnv = new LinkedHashSet<>();

  @Override
  public Integer call() throws Exception {
    if (Files.exists(manifests) && !Files.isDirectory(manifests)) {
      throw new IllegalArgumentException("--manifests " + manifests + " is a file; name a directory of StagingRelease YAML files");
    }
    if (!Files.exists(manifests)) {
      Files.createDirectories(manifests);
      System.out.println("created " + manifests.toAbsolutePath() + " (it did not exist)");
    }
    if (ManifestHint.isEmpty(manifests)) {
      System.out.println(ManifestHint.text(manifests));
    }
    Path stateDir = state.dir();
    // Statuses, saved specs, dumps and TLS keys live below: nobody else's to read.
    AtomicFile.createDirectories(stateDir, AtomicFile.Access.OWNER_ONLY);
    CountDownLatch stopped = new CountDownLatch(1);
    try (LiveStack stack = new LiveStack(StateLayout.local(stateDir), Clock.systemUTC(), composePolicy, stackEnv);
        DockerContainerEvents events = new DockerContainerEvents(stack.docker())) {
      LocalDaemon daemon = new LocalDaemon(manifests.toAbsolutePath(), stateDir, stack.loop(), stack.health(),
          stack.docker(), Clock.systemUTC(), workers, events);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        System.out.println("stopping: letting a compose command in flight finish");
        daemon.close();
        stopped.countDown();
      }, "shutdown"));
      daemon.start(bind, port);
      stopped.await();
    }
    return 0;
  }
}
