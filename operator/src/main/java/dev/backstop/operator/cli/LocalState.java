package dev.backstop.operator.cli;

import java.io.IOException;

import dev.backstop.operator.local.ApiToken;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.local.SavedSpec;
import dev.backstop.operator.state.StateLayout;
import dev.backstop.operator.notify.FileReportStore;
import dev.backstop.operator.local.DaemonInfo;
import dev.backstop.operator.local.RequestStore;
import dev.backstop.operator.local.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Releases of the local daemon: status files in its state directory, requests beside them. */
final class LocalState implements ReleaseSource {

  private final Path dir;
  private final StatusStore store;

  LocalState(Path dir) {
    this.dir = dir;
    this.store = new StatusStore(dir);
  }

  @Override
  public Optional<StagingReleaseStatus> find(String name) {
    return store.read(name);
  }

  @Override
  public Map<String, StagingReleaseStatus> all() {
    Map<String, StagingReleaseStatus> statuses = new LinkedHashMap<>();
    List<String> names;
    try {
      names = store.names();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot list releases in " + dir + ": " + e.getMessage());
    }
    for (String n : names) {
      store.read(n).ifPresent(s -> statuses.put(n, s));
    }
    return statuses;
  }

  @Override
  public String request(String name, String annotation, String value, Map<String, String> parameters) {
    find(name).orElseThrow(() -> noSuchRelease(name));
    Map<String, String> values = new LinkedHashMap<>(parameters);
    values.put(annotation, value);
    new RequestStore(store).request(name, values);
    int answer = DaemonInfo.read(dir).map(d -> nudge(d, name)).orElse(0);
    if (answer == 202) {
      return "the daemon is acting on it now";
    }
    if (answer == 401 || answer == 403) {
      return "the daemon acts on it at its next reconcile (it refused the nudge: " + ApiToken.FILE + " in " + dir
          + " is missing or not its token)";
    }
    return "the daemon acts on it at its next reconcile";
  }

  @Override
  public Reports reports(String name) {
    find(name).orElseThrow(() -> noSuchRelease(name));
    StagingRelease release = new StagingRelease();
    release.getMetadata().setName(name);
    return new Reports(release, new FileReportStore(dir));
  }

  @Override
  public Workload workload(String name) throws InvalidSpecException {
    StateLayout.ReleaseDir release = store.release(name);
    StagingReleaseSpec spec = SavedSpec.read(release.path()).orElseThrow(() -> noSuchRelease(name));
    ReleaseSettings settings = ReleaseSettings.from(name, spec);
    // The daemon runs as this user: the same environment lends the same git token.
    return new Workload(settings, store.read(name).orElse(null), release.checkouts(), Workload.Git.environment(null),
        new Workload.Engine(settings.dockerHost(), null, null,
            "the daemon has not deployed " + name + " there (see `backstop status " + name + "`)"));
  }

  @Override
  public void suspend(String name, boolean suspend) {
    find(name).orElseThrow(() -> noSuchRelease(name));
    new RequestStore(store).request(name, Map.of(RequestStore.SUSPEND_KEY, String.valueOf(suspend)));
    DaemonInfo.read(dir).ifPresent(d -> nudge(d, name));
    if (!suspend && store.manifestSuspends(name)) {
      throw new IllegalArgumentException(name + "'s manifest sets spec.suspend: true, which `backstop resume` does not"
          + " override; set it to false (or remove it) in the manifest");
    }
  }

  @Override
  public IllegalArgumentException noSuchRelease(String name) {
    return new IllegalArgumentException("no release named " + name + " in " + dir
        + " (has `backstop run` seen its manifest?)");
  }

  @Override
  public String where() {
    return dir.toString();
  }

  @Override
  public List<String> problems() {
    return store.readProblems().stream()
        .map(p -> "manifest problem: " + p.file().getFileName() + ": " + p.message())
        .toList();
  }

  /** Asks the daemon to reconcile now, with its API token; the HTTP status, or 0 when unreachable. */
  private int nudge(DaemonInfo d, String name) {
    try {
      Optional<String> token = ApiToken.read(dir);
      String host = d.address().contains(":") && !d.address().startsWith("[") ? "[" + d.address() + "]" : d.address();
      HttpRequest.Builder req = HttpRequest.newBuilder(
              URI.create("http://" + host + ":" + d.port() + "/api/v1/releases/" + name + "/reconcile"))
          .timeout(Duration.ofSeconds(2))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}"));
      token.ifPresent(t -> req.header("X-Backstop-Token", t));
      return HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      // A daemon that does not answer still reads the request at its next reconcile.
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

}
