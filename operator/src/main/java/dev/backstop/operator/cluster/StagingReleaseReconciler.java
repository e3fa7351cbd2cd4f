package dev.backstop.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.backstop.operator.api.v1alpha1.DeletionPolicy;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.api.v1alpha1.ComposeSpec;
import dev.backstop.operator.core.Failures;
import dev.backstop.operator.core.Observation;
import dev.backstop.operator.core.ProjectClaims;
import dev.backstop.operator.core.ReleaseEvent;
import dev.backstop.operator.core.ReleaseSettings;
import dev.backstop.operator.core.Timestamps;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.engine.Actuator;
import dev.backstop.operator.engine.Recorder;
import dev.backstop.operator.engine.ReleaseInput;
import dev.backstop.operator.engine.ReleaseLoop;
import dev.backstop.operator.health.HealthMonitor;
import dev.backstop.operator.hooks.GitHookHandler;
import dev.backstop.operator.metrics.ReleaseMetrics;
import dev.backstop.operator.notify.Notices;
import dev.backstop.operator.state.FileTrees;
import dev.backstop.operator.state.StateLayout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster driver: feeds a StagingRelease to {@link ReleaseLoop} and writes what it records
 * back to the API server. No decisions here; they all live in the core.
 */
// Not generation-aware: the request annotations change metadata only, and must still trigger.
@ControllerConfiguration(name = StagingReleaseReconciler.NAME, generationAwareEventProcessing = false,
    finalizerName = StagingReleaseReconciler.FINALIZER)
public final class StagingReleaseReconciler implements Reconciler<StagingRelease>, Cleaner<StagingRelease> {

  public static final String NAME = "stagingrelease";
  public static final String FINALIZER = StagingRelease.GROUP + "/finalizer";
  private static final Duration CLEANUP_RETRY = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger("backstop");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReleaseLoop loop;
  private final HealthMonitor health;
  private final DockerHosts docker;
  private final Path stateDir;
  private final Clock clock;
  private final ReleaseMetrics metrics;
  private final SourceAdmission sources;
  private final Notices notices;
  // The last status written per uid. The informer cache may lag behind our own patches, and the
  // core must always decide from what it recorded last (as local mode does from its file).
  private final Map<String, StagingReleaseStatus> recorded = new ConcurrentHashMap<>();
  // The status as last written to the API server per uid, so an unchanged status is not written.
  private final Map<String, JsonNode> persisted = new ConcurrentHashMap<>();
  // Health news from the background probes, turned into reconcile triggers by ResourceID.
  private final SimpleInboundEventSource<StagingRelease> healthNews = new SimpleInboundEventSource<>("health-news");

  // Status writes that failed in a row, per uid: the retry backs off while the API server refuses.
  private final Map<String, Integer> failedWrites = new ConcurrentHashMap<>();

  public StagingReleaseReconciler(
      ReleaseLoop loop,
      HealthMonitor health,
      DockerHosts docker,
      Path stateDir,
      Clock clock,
      ReleaseMetrics metrics,
      SourceAdmission sources,
      Notices notices) {
    this.notices = notices;
    this.loop = loop;
    this.sources = sources;
    this.health = health;
    this.docker = docker;
    this.stateDir = stateDir;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<StagingRelease> reconcile(StagingRelease release, Context<StagingRelease> context) {
    KubernetesClient client = context.getClient();
    String uid = release.getMetadata().getUid();
    String key = key(release);
    StagingReleaseStatus previous = recorded.getOrDefault(uid, emptyToNull(release.getStatus()));
    KubeEventRecorder events = new KubeEventRecorder(client, clock);
    StatusWriter writer = new StatusWriter(client, release);
    Observation.Problem duplicate = ProjectClaims.denied(claims(context)).get(ReleaseInput.keyOf(release));
    Access access = duplicate != null
        ? Access.blocked(duplicate)
        : sources.admit(release, () -> new SecretAccess(client).resolve(release));
    ReleaseInput input = ReleaseInput.of(release, release.getMetadata().getGeneration(), requests(release),
        workDir(release), access);
    long started = System.nanoTime();
    Duration requeue;
    try {
      requeue = loop.reconcile(input, previous, notices.around(release, new Recorder() {
        @Override
        public void record(StagingReleaseStatus status) throws RecordFailedException {
          writer.write(status);
          recorded.put(uid, status);
          metrics.status(key, status);
        }

        @Override
        public void event(ReleaseEvent event) {
          metrics.event(key, event);
          events.emit(release, event);
        }
      }));
      failedWrites.remove(uid);
    } catch (Recorder.RecordFailedException e) {
      int failures = failedWrites.merge(uid, 1, Integer::sum);
      requeue = backoff(failures);
      metrics.statusWriteFailed(key);
      LOG.error("{}: cannot record status, so nothing was acted on; trying again in {}s: {}", key,
          requeue.toSeconds(), e.getMessage());
    }
    metrics.reconciled(key, Duration.ofNanos(System.nanoTime() - started));
    // Status is already written by the recorder (before and after acting), so JOSDK patches nothing.
    return UpdateControl.<StagingRelease>noUpdate().rescheduleAfter(requeue.toMillis());
  }

  /**
   * The claim of every release the informer knows on its compose project: across namespaces,
   * since projects are per Docker host, not per namespace. A release's own last recorded status
   * counts over the cache's, which may lag behind our patches.
   */
  private List<ProjectClaims.Claim> claims(Context<StagingRelease> context) {
    return context.getPrimaryCache().list().map(r -> {
      ComposeSpec compose = r.getSpec() == null ? null : r.getSpec().getCompose();
      StagingReleaseStatus s = recorded.getOrDefault(r.getMetadata().getUid(), r.getStatus());
      return new ProjectClaims.Claim(ReleaseInput.keyOf(r), compose == null ? null : compose.getDockerHost(),
          ReleaseSettings.projectName(r.getMetadata().getName(), compose), s != null && s.getCurrent() != null,
          created(r));
    }).toList();
  }

  private static Instant created(StagingRelease release) {
    String created = release.getMetadata().getCreationTimestamp();
    try {
      // None (the mock server sets none on some paths): the key decides among such.
      return created == null ? null : Instant.parse(created);
    } catch (java.time.format.DateTimeParseException e) {
      LOG.debug("{}: creationTimestamp '{}' is not a time; it claims as if it had none", release.getMetadata()
          .getName(), created);
      return null;
    }
  }

  /** 1 s, 2 s, 4 s ... at most a minute. */
  static Duration backoff(int failures) {
    long seconds = 1L << Math.min(Math.max(failures - 1, 0), 6);
    return Duration.ofSeconds(Math.min(seconds, 60));
  }

  @Override
  public List<EventSource<?, StagingRelease>> prepareEventSources(EventSourceContext<StagingRelease> context) {
    EnvSourceWatch.index(context);
    return List.of(healthNews, EnvSourceWatch.secrets(context), EnvSourceWatch.configMaps(context));
  }

  /**
   * Asks for a fetch now ({@code backstop.dev/fetch}) of the releases (of the watched namespaces;
   * all when none are named) whose spec.source.url {@code matches}: a push webhook came. Through
   * the API server, not this replica's memory: the Service sends the push to any replica, and only
   * the leader reconciles; the annotation's change reconciles there at once. Their names, as
   * namespace/name.
   *
   * @param delivery the git host's delivery id, or null: kept in the value to trace the request
   * @throws GitHookHandler.Unavailable when the API server refuses the list or a patch
   */
  java.util.List<String> requestFetch(KubernetesClient client, java.util.Set<String> namespaces,
      java.util.function.Predicate<String> matches, String delivery) throws GitHookHandler.Unavailable {
    java.util.List<StagingRelease> all = new java.util.ArrayList<>();
    try {
      if (namespaces.isEmpty()) {
        all.addAll(client.resources(StagingRelease.class).inAnyNamespace().list().getItems());
      } else {
        for (String ns : namespaces) {
          all.addAll(client.resources(StagingRelease.class).inNamespace(ns).list().getItems());
        }
      }
    } catch (KubernetesClientException e) {
      throw new GitHookHandler.Unavailable("cannot list the StagingReleases to find the pushed repository's "
          + "(" + refusal(e) + "), so nothing fetches before its pollInterval; check the operator's RBAC "
          + "(list stagingreleases) and the API server", e);
    }
    // New at every delivery, so that the leader sees a change; the id says which delivery it was.
    // The id is not covered by the signature: only its plain characters, and not many, are kept.
    String id = delivery == null ? "" : delivery.replaceAll("[^A-Za-z0-9._:-]", "");
    String value = Timestamps.format(clock.instant())
        + (id.isEmpty() ? "" : " " + id.substring(0, Math.min(id.length(), 64)));
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (StagingRelease r : all) {
      if (r.getSpec() == null || r.getSpec().getSource() == null || !matches.test(r.getSpec().getSource().getUrl())) {
        continue;
      }
      String key = ReleaseInput.keyOf(r);
      try {
        client.resources(StagingRelease.class).inNamespace(r.getMetadata().getNamespace())
            .withName(r.getMetadata().getName())
            .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.createObjectNode().set("metadata",
                JSON.createObjectNode().set("annotations", JSON.createObjectNode()
                    .put(StagingRelease.FETCH_ANNOTATION, value))).toString());
      } catch (KubernetesClientException e) {
        throw new GitHookHandler.Unavailable("cannot annotate " + key + " with " + StagingRelease.FETCH_ANNOTATION
            + " (" + refusal(e) + ")" + (keys.isEmpty() ? "" : " after " + String.join(", ", keys))
            + ", so it fetches only at its pollInterval; check the operator's RBAC (patch stagingreleases)"
            + " and the API server, then push again or redeliver", e);
      }
      keys.add(key);
    }
    java.util.Collections.sort(keys);
    return keys;
  }

  private static String refusal(KubernetesClientException e) {
    return e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + (e.getStatus() == null ? e.getMessage()
        : e.getStatus().getMessage()) : Failures.rootMessage(e);
  }

  /** Reconciles the release a probe has news about ("namespace/name", see ReleaseInput#keyOf) now. */
  void healthNews(String key) {
    int slash = key.indexOf('/');
    try {
      healthNews.propagateEvent(new ResourceID(key.substring(slash + 1), key.substring(0, slash)));
    } catch (RuntimeException e) {
      // Not started (a standby replica, or stopping): the requeue still comes.
      LOG.debug("{}: health news not delivered: {}", key, e.toString());
    }
  }

  @Override
  public DeleteControl cleanup(StagingRelease release, Context<StagingRelease> context) {
    String uid = release.getMetadata().getUid();
    DeletionPolicy policy = release.getSpec() == null || release.getSpec().getDeletionPolicy() == null
        ? DeletionPolicy.Retain : release.getSpec().getDeletionPolicy();
    Path dir = workDir(release);
    if (policy == DeletionPolicy.Down) {
      StagingReleaseStatus status = recorded.getOrDefault(uid, emptyToNull(release.getStatus()));
      try {
        loop.tearDown(ReleaseInput.of(release, release.getMetadata().getGeneration(), Map.of(), dir, Access.NONE),
            status);
        LOG.info("{}: deleted with deletionPolicy Down: compose project taken down", key(release));
      } catch (Actuator.ActionFailedException e) {
        LOG.warn("{}: deletionPolicy Down: compose down failed, retrying in {}s: {}", key(release),
            CLEANUP_RETRY.toSeconds(), e.getMessage());
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(CLEANUP_RETRY.toMillis());
      }
      deleteTree(dir);
    } else {
      // Retain: the running containers still use the checkout as their project directory.
      LOG.info("{}: deleted with deletionPolicy Retain: the stack keeps running", key(release));
    }
    recorded.remove(uid);
    persisted.remove(uid);
    failedWrites.remove(uid);
    metrics.forget(key(release));
    notices.forget(release);
    health.forget(ReleaseInput.keyOf(release));
    // Its TLS files are gone with the work dir; its host's ssh forward goes when nobody names it.
    docker.forget(ReleaseInput.keyOf(release));
    return DeleteControl.defaultDelete();
  }

  Path workDir(StagingRelease release) {
    return StateLayout.cluster(stateDir)
        .release(release.getMetadata().getNamespace(), release.getMetadata().getName())
        .path();
  }

  private static String key(StagingRelease release) {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  private static Map<String, String> requests(StagingRelease release) {
    Map<String, String> annotations = release.getMetadata().getAnnotations();
    Map<String, String> values = new HashMap<>();
    if (annotations != null) {
      for (String name : java.util.stream.Stream.concat(StagingRelease.REQUEST_ANNOTATIONS.stream(),
          StagingRelease.REQUEST_PARAMETERS.stream()).toList()) {
        if (annotations.get(name) != null) {
          values.put(name, annotations.get(name));
        }
      }
    }
    return values;
  }

  // A resource read without status gets an empty one from CustomResource#initStatus.
  private static StagingReleaseStatus emptyToNull(StagingReleaseStatus status) {
    return status == null || (status.getPhase() == null && status.getObservedGeneration() == null) ? null : status;
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", dir, e.getMessage());
    }
  }

  /**
   * Writes each status that differs from the last one written, as one JSON Patch that replaces
   * /status whole. Not a merge patch: RFC 7386 needs explicit nulls for every cleared field, and
   * the fabric8 mock server appends to arrays on merge patches (so would JOSDK's patchStatus).
   * Not server-side apply either, which the mock lacks. Every API server accepts JSON Patch.
   */
  private final class StatusWriter {
    private final KubernetesClient client;
    private final StagingRelease release;
    private final String uid;

    StatusWriter(KubernetesClient client, StagingRelease release) {
      this.client = client;
      this.release = release;
      this.uid = release.getMetadata().getUid();
      StagingReleaseStatus server = emptyToNull(release.getStatus());
      persisted.computeIfAbsent(uid,
          u -> server == null ? JsonNodeFactory.instance.objectNode() : JSON.valueToTree(server));
    }

    /** Writes the status, or throws: the caller must not act on a status the server refused. */
    void write(StagingReleaseStatus status) throws Recorder.RecordFailedException {
      JsonNode next = JSON.valueToTree(status);
      if (next.equals(persisted.get(uid))) {
        return;
      }
      ArrayNode patch = JsonNodeFactory.instance.arrayNode();
      // "add" replaces an existing member and creates a missing one (RFC 6902 4.1).
      patch.addObject().put("op", "add").put("path", "/status").set("value", next);
      try {
        client.resources(StagingRelease.class)
            .inNamespace(release.getMetadata().getNamespace())
            .withName(release.getMetadata().getName())
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON), patch.toString());
        persisted.put(uid, next);
      } catch (KubernetesClientException e) {
        throw new Recorder.RecordFailedException("the API server refused the status (HTTP " + e.getCode() + "): "
            + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()), e);
      }
    }
  }
}
