package dev.backstop.operator.engine;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.compose.DockerEndpoints;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.compose.TlsFiles;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.state.StateLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Puts a release's Docker TLS material where every Docker adapter finds it. */
final class DockerAccess {

  private DockerAccess() {}

  /**
   * Writes {@code tls} under {@code workDir} and registers it for {@code dockerHost}.
   *
   * @return why the material cannot be used, or null when it is in place (or there is none)
   */
  static Observation.Problem install(
      String dockerHost, Path workDir, DockerTls tls, DockerEndpoints endpoints) {
    if (tls == null) {
      return null;
    }
    if (dockerHost == null || !dockerHost.toLowerCase(Locale.ROOT).startsWith("tcp://")) {
      return new Observation.Problem(
          Reason.InvalidSpec,
          "spec.compose.tlsSecretRef is set but spec.compose.dockerHost is "
              + (dockerHost == null ? "not set" : "not a tcp:// URL")
              + ", and TLS applies only to tcp:// hosts; set a tcp:// dockerHost or drop the"
              + " Secret reference");
    }
    try {
      endpoints.useTls(dockerHost, TlsFiles.write(new StateLayout.ReleaseDir(workDir).dockerTls(), tls));
      return null;
    } catch (IOException | RuntimeException e) {
      // The message names the directory and the I/O error, never the material.
      return new Observation.Problem(
          Reason.DockerUnavailable,
          "cannot write the TLS files for "
              + dockerHost
              + " under "
              + new StateLayout.ReleaseDir(workDir).dockerTls()
              + " ("
              + e.getClass().getSimpleName()
              + "); check that the state directory is writable");
    }
  }
}
