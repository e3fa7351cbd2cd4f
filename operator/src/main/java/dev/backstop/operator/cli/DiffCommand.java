package dev.backstop.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.ComposeModels;
import dev.backstop.operator.compose.ComposeProject;
import dev.backstop.operator.compose.DockerComposeCli;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.ServiceDiff;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.git.JGitSourceRepository;
import dev.backstop.operator.git.SourceException;
import dev.backstop.operator.state.FileTrees;
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
@Command(name = "diff", description = {"Show per service what would change (image, command, environment keys,"
    + " ports, volumes, healthcheck) between the running commit and the desired one, or --to REF.",
    "Against a cluster the CLI clones the repository itself, with the release's git Secret when you may read it,"
        + " else your environment's BACKSTOP_GIT_TOKEN."})
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
    Workload release = state.source().workload(name);
    ReleaseSettings settings = release.settings();
    StagingReleaseStatus status = release.status();
    if (status == null || status.getCurrent() == null || status.getCurrent().getCommit() == null) {
      throw new IllegalArgumentException(name + " runs nothing yet, so there is nothing to compare with");
    }
    String running = status.getCurrent().getCommit();
    GitCredentials credentials = release.git().credentials();
    // A cache of the CLI's own: the daemon's may be in use by a fetch right now.
    Path scratch = Files.createTempDirectory("backstop-diff-");
    try {
      JGitSourceRepository git = new JGitSourceRepository(scratch.resolve("cache"), System::getenv);
      String target;
      try {
        target = to != null ? git.resolve(settings.url(), to, true, credentials)
            : status.getDesired() != null && status.getDesired().getCommit() != null ? status.getDesired().getCommit()
            : git.resolve(settings.url(), settings.ref(), true, credentials);
      } catch (SourceException e) {
        throw new IllegalArgumentException("cannot resolve " + (to != null ? to : settings.ref()) + " in "
            + settings.url() + ": " + e.getMessage() + origin(release, e));
      }
      Map<String, ServiceDiff.Definition> from = render(git, release, running, scratch);
      Map<String, ServiceDiff.Definition> other = render(git, release, target, scratch);
      print(ServiceDiff.between(from, other), running, target);
    } finally {
      FileTrees.deleteTree(scratch);
    }
    return 0;
  }

  /** The commit's model as `docker compose config` renders it, from the daemon's checkout when it has one. */
  private Map<String, ServiceDiff.Definition> render(JGitSourceRepository git, Workload release, String commit,
      Path scratch) throws ComposeException {
    ReleaseSettings settings = release.settings();
    Path checkout = release.checkouts() == null ? null : release.checkouts().resolve(commit);
    if (checkout == null || !Files.isDirectory(checkout)) {
      try {
        checkout = git.checkout(settings.url(), commit, scratch.resolve("checkouts"), release.git().credentials());
      } catch (SourceException e) {
        throw new IllegalArgumentException("cannot check out " + commit.substring(0, 7) + " from " + settings.url()
            + ": " + e.getMessage() + origin(release, e));
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

  /** Where the credentials came from, for a remote that could not be read (not for a missing ref). */
  private static String origin(Workload release, SourceException e) {
    return e.kind() == SourceException.Kind.UNAVAILABLE ? "; " + release.git().origin() : "";
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
