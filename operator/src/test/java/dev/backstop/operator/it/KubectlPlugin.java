package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built jar installed as scripts/install.sh installs it, run by the real kubectl as its
 * `kubectl-backstop` plugin with a given kubeconfig.
 */
final class KubectlPlugin {

  /** One kubectl run: its exit code, standard output and standard error. */
  record Run(int exit, String out, String err) {}

  final Path bin;
  private final Path dir;
  private final Path kubeconfig;

  private KubectlPlugin(Path dir, Path kubeconfig) {
    this.dir = dir;
    this.bin = dir.resolve("prefix/bin");
    this.kubeconfig = kubeconfig;
  }

  /** Installs the jar under {@code dir}/prefix; kubectl then talks to {@code kubeconfig}'s server. */
  static KubectlPlugin install(Path dir, Path kubeconfig) throws Exception {
    DemoRepo.run(List.of("bash", Path.of("../scripts/install.sh").toAbsolutePath().normalize().toString(),
        Path.of(LocalModeIT.jar()).toAbsolutePath().toString(), dir.resolve("prefix").toString()), dir);
    return new KubectlPlugin(dir, kubeconfig);
  }

  /** `kubectl ARGS` with the plugin on the PATH; must finish within a minute. */
  Run kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("JAVA", LocalModeIT.javaBin());
    Path err = Files.createTempFile(dir, "kubectl", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl " + String.join(" ", args) + " finished").isTrue();
    return new Run(p.exitValue(), out, Files.readString(err));
  }
}
