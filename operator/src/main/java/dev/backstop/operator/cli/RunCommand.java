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

  @Option(names = "--workers", defaultValue = "4", description = "Releases reconciled at the same time (default: ${DEFAULT-VALUE}).")
  int workers;

  // One person's machine: serve on loopback only, and trust the stacks as docker compose would.
  @Mixin ReconcilerOptions reconciler = new ReconcilerOptions("127.0.0.1", PolicyLevel.Privileged);

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
    try (LiveStack stack = reconciler.liveStack(StateLayout.local(stateDir));
        DockerContainerEvents events = new DockerContainerEvents(stack.docker())) {
      LocalDaemon daemon = new LocalDaemon(manifests.toAbsolutePath(), stateDir, stack.loop(), stack.health(),
          stack.docker(), Clock.systemUTC(), workers, events);
      daemon.metrics().composeTurns(stack.gate().limit(), () -> stack.gate().total().running(),
          () -> stack.gate().total().waiting());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        System.out.println("stopping: letting a compose command in flight finish");
        daemon.close();
        stopped.countDown();
      }, "shutdown"));
      daemon.start(reconciler.bind, port);
      stopped.await();
    }
    return 0;
  }
}
