package dev.backstop.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.BackupRecord;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.SubprocessEnv;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.Preflight;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.local.LocalEnvSources;
import dev.backstop.operator.local.ManifestLoader;
import dev.backstop.operator.local.ManifestProblem;
import dev.backstop.operator.local.ManifestSet;
import dev.backstop.operator.local.StatusStore;
import dev.backstop.operator.stack.PreflightFacts;
import dev.backstop.operator.stack.RefPreview;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `backstop doctor`: one preflight of everything a rollback needs, before the first one is. */
@Command(
    name = "doctor",
    description = "Check what a rollback needs: Docker engine, Compose v2, git access and refs, backup tools,"
        + " free disk, published ports and network address pools; exit 0 only when every check passes.")
final class DoctorCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--manifests", paramLabel = "DIR",
      description = "Check the StagingReleases of this directory (default: the releases the state directory records).")
  Path manifests;

  @Mixin OutputFormat format;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean json = format.json();
    if (state.kube()) {
      throw new IllegalArgumentException("doctor checks the Docker hosts this machine reaches; drop the kubectl options");
    }
    if (manifests != null && !Files.isDirectory(manifests)) {
      throw new IllegalArgumentException("--manifests " + manifests + " is not a directory");
    }
    StatusStore store = state.store();
    List<String> problems = new ArrayList<>();
    List<PreflightFacts.Release> releases = manifests != null ? fromManifests(store, problems) : fromState(store, problems);
    List<Preflight.Result> results;
    SubprocessEnv env = SubprocessEnv.inTempHome();
    try (DockerHosts docker = new DockerHosts(env); RefPreview preview = new RefPreview(env)) {
      results = Preflight.evaluate(new PreflightFacts(docker, preview).gather(state.dir(), releases, problems));
    }
    boolean pass = Preflight.allPass(results);
    PrintWriter out = spec.commandLine().getOut();
    List<Map<String, String>> rows = new ArrayList<>();
    for (Preflight.Result r : results) {
      Map<String, String> row = new LinkedHashMap<>();
      row.put("name", r.name());
      row.put("status", r.status().name());
      row.put("detail", r.detail());
      rows.add(row);
    }
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("passed", pass);
      doc.put("checks", rows);
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else {
      Table.print(out, new String[] {"name", "status", "detail"}, rows);
      long failed = results.stream().filter(r -> r.status() == Preflight.Status.FAIL).count();
      long warned = results.stream().filter(r -> r.status() == Preflight.Status.WARN).count();
      out.println(pass ? "all " + results.size() + " checks pass"
          : failed + " failed, " + warned + " warned of " + results.size() + " checks");
    }
    out.flush();
    return pass ? 0 : 1;
  }

  private List<PreflightFacts.Release> fromManifests(StatusStore store, List<String> problems) throws Exception {
    Path dir = manifests.toAbsolutePath();
    ManifestSet set = new ManifestLoader(dir).load();
    for (ManifestProblem p : set.problems()) {
      problems.add(dir.relativize(p.file().toAbsolutePath()) + ": " + p.message());
    }
    LocalEnvSources envSources = new LocalEnvSources(dir);
    List<PreflightFacts.Release> releases = new ArrayList<>();
    for (StagingRelease release : set.releases()) {
      String name = release.getMetadata().getName();
      Access access = envSources.resolve(release);
      if (access.problem() != null) {
        problems.add(name + ": " + access.problem().message());
      }
      release(store, name, release.getSpec(), access.env(), problems, releases);
    }
    return releases;
  }

  // The specs the daemon last saw, as `backstop verify` reads them; their envFrom files are beside
  // manifests this command does not know, so compose files render without those variables.
  private List<PreflightFacts.Release> fromState(StatusStore store, List<String> problems) throws Exception {
    List<PreflightFacts.Release> releases = new ArrayList<>();
    for (String name : store.names()) {
      Path generation = store.release(name).generation();
      if (!Files.exists(generation)) {
        continue;
      }
      JsonNode saved = JSON.readTree(generation.toFile());
      StagingReleaseSpec releaseSpec = JSON.readValue(saved.path("specJson").asText(), StagingReleaseSpec.class);
      release(store, name, releaseSpec, StackEnv.NONE, problems, releases);
    }
    return releases;
  }

  private static void release(StatusStore store, String name, StagingReleaseSpec releaseSpec, StackEnv env,
      List<String> problems, List<PreflightFacts.Release> releases) {
    try {
      ReleaseSettings settings = ReleaseSettings.from(name, releaseSpec);
      List<BackupRecord> backups = store.read(name).map(StagingReleaseStatus::getBackups).orElse(null);
      releases.add(new PreflightFacts.Release(name, settings, env, store.releaseDir(name),
          backups == null ? List.of() : backups));
    } catch (InvalidSpecException e) {
      problems.add(name + ": " + String.join("; ", e.problems()));
    }
  }
}
