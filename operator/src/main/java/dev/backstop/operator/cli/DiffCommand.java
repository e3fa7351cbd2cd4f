package dev.backstop.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeModels;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.ServiceDiff;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.local.SavedSpec;
import dev.backstop.operator.state.FileTrees;
import dev.backstop.operator.state.StateLayout;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `backstop diff NAME [--to REF]`: per service, what deploying another commit would change. */
@Command(name = "diff", description = "Show per service what would change (image, command, environment keys,"
    + " ports, volumes, healthcheck) between the running commit and the desired one, or --to REF.")
final class DiffCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "NAME", description = "The release, as `backstop status` lists it.")
  String name;

  @Option(names = "--to", paramLabel = "REF", description = "Branch, tag or commit to compare with (default: the desired commit).")
  String to;

  @Mixin OutputFormat format;

  @Mixin StateOption state;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // An unknown -o fails before anything is read.
    format.json();
    if (state.kube()) {
      throw new IllegalArgumentException("diff reads the commits' checkouts, which only the local daemon's state"
          + " directory holds; run it on the operator's host with --state");
    }
    StateLayout.ReleaseDir releaseDir = state.store().release(name);
    StagingReleaseSpec releaseSpec = SavedSpec.read(releaseDir.path()).orElseThrow(() -> state.noSuchRelease(name));
    ReleaseSettings settings = ReleaseSettings.from(name, releaseSpec);
    StagingReleaseStatus status = state.store().read(name).orElse(null);
    if (status == null || status.getCurrent() == null) {
      throw new IllegalArgumentException(name + " runs nothing yet, so there is nothing to compare with");
    }
    String running = status.getCurrent().getCommit();
    // A cache of the CLI's own: the daemon's may be in use by a fetch right now.
    Path scratch = Files.createTempDirectory("backstop-diff-");
    try {
      JGitSourceRepository git = new JGitSourceRepository(scratch.resolve("cache"), System::getenv);
      String target;
      try {
        target = to != null ? git.resolve(settings.url(), to, true, null)
            : status.getDesired() != null && status.getDesired().getCommit() != null ? status.getDesired().getCommit()
            : git.resolve(settings.url(), settings.ref(), true, null);
      } catch (SourceException e) {
        throw new IllegalArgumentException("cannot resolve " + (to != null ? to : settings.ref()) + " in "
            + settings.url() + ": " + e.getMessage());
      }
      Map<String, ServiceDiff.Definition> from = render(git, settings, running, releaseDir, scratch);
      Map<String, ServiceDiff.Definition> other = render(git, settings, target, releaseDir, scratch);
      print(ServiceDiff.between(from, other), running, target);
    } finally {
      FileTrees.deleteTree(scratch);
    }
    return 0;
  }

  /** The commit's model as `docker compose config` renders it, from the daemon's checkout when it has one. */
  private Map<String, ServiceDiff.Definition> render(JGitSourceRepository git, ReleaseSettings settings,
      String commit, StateLayout.ReleaseDir releaseDir, Path scratch) throws ComposeException {
    Path checkout = releaseDir.checkout(commit);
    if (!Files.isDirectory(checkout)) {
      try {
        checkout = git.checkout(settings.url(), commit, scratch.resolve("checkouts"), null);
      } catch (SourceException e) {
        throw new IllegalArgumentException("cannot check out " + commit.substring(0, 7) + " from " + settings.url()
            + ": " + e.getMessage());
      }
    }
    Path dir = checkout.resolve(settings.composePath()).normalize();
    ComposeProject project = new ComposeProject(settings.projectName(), dir, settings.composeFiles(),
        settings.envFiles(), null);
    try {
      return ComposeModels.definitions(new DockerComposeCli().config(project), dir);
    } catch (ComposeException e) {
      throw new IllegalArgumentException("the compose files of " + commit.substring(0, 7) + " do not render: "
          + e.getMessage());
    }
  }

  private void print(List<ServiceDiff.Change> changes, String running, String target) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (format.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("release", name);
      doc.put("from", running);
      doc.put("to", target);
      doc.put("changes", changes);
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else if (changes.isEmpty()) {
      out.println("no changes between " + running.substring(0, 7) + " and " + target.substring(0, 7));
    } else {
      out.println(running.substring(0, 7) + " -> " + target.substring(0, 7));
      String service = null;
      for (ServiceDiff.Change c : changes) {
        if (c.field().equals("service")) {
          out.println(c.service() + " (" + (c.to().isEmpty() ? c.from() : c.to()) + ")");
          service = null;
          continue;
        }
        if (!c.service().equals(service)) {
          out.println(c.service());
          service = c.service();
        }
        out.printf("  %-12s %s -> %s%n", c.field(), c.from().isEmpty() ? "(none)" : c.from(),
            c.to().isEmpty() ? "(none)" : c.to());
      }
    }
    out.flush();
  }
}
