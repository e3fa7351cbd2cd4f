package dev.backstop.operator.cli;

import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.cluster.SecretValues;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.core.InvalidSpecException;
import dev.backstop.operator.core.ReleaseSettings;
import io.fabric8.kubernetes.api.model.Secret;
import dev.backstop.operator.cluster.ConfigMapReportStore;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Releases as StagingRelease resources, found the way kubectl finds them: --kubeconfig, else
 * $KUBECONFIG, else ~/.kube/config; --context; -n, else the context's namespace, else default.
 * Requests are annotations on metadata, never status writes.
 */
final class KubeApi implements ReleaseSource, AutoCloseable {

  private final KubernetesClient client;
  private final String namespace;
  private final boolean allNamespaces;
  private final String server;

  KubeApi(Path kubeconfig, String context, String namespace, boolean allNamespaces) {
    Config config;
    if (kubeconfig != null) {
      String text;
      try {
        text = Files.readString(kubeconfig);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage());
      }
      config = Config.fromKubeconfig(context, text, kubeconfig.toString());
    } else {
      config = Config.autoConfigure(context);
    }
    if (context != null && config.getCurrentContext() != null
        && !context.equals(config.getCurrentContext().getName())) {
      throw new IllegalArgumentException("context " + context + " is not in the kubeconfig");
    }
    this.namespace = namespace != null ? namespace : config.getNamespace() != null ? config.getNamespace() : "default";
    this.allNamespaces = allNamespaces;
    this.server = config.getMasterUrl();
    // One HTTP client named: with two on the classpath fabric8 warns and picks one at random.
    this.client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  @Override
  public Optional<StagingReleaseStatus> find(String name) {
    StagingRelease r = call("get stagingrelease " + name, () -> resource(name).get());
    if (r == null) {
      return Optional.empty();
    }
    // Not reconciled yet: an empty status, shown as such, rather than "not found".
    return Optional.of(r.getStatus() == null ? new StagingReleaseStatus() : r.getStatus());
  }

  @Override
  public Map<String, StagingReleaseStatus> all() {
    List<StagingRelease> items = call("list stagingreleases", () -> allNamespaces
        ? client.resources(StagingRelease.class).inAnyNamespace().list().getItems()
        : client.resources(StagingRelease.class).inNamespace(namespace).list().getItems());
    Map<String, StagingReleaseStatus> statuses = new LinkedHashMap<>();
    for (StagingRelease r : items) {
      String key = allNamespaces ? r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()
          : r.getMetadata().getName();
      statuses.put(key, r.getStatus() == null ? new StagingReleaseStatus() : r.getStatus());
    }
    return statuses;
  }

  @Override
  public String request(String name, String annotation, String value, Map<String, String> parameters) {
    exists(name);
    Map<String, String> annotations = new LinkedHashMap<>(parameters);
    annotations.put(annotation, value);
    if (StagingRelease.ROLLBACK_ANNOTATION.equals(annotation)
        && !parameters.containsKey(StagingRelease.ROLLBACK_TO_ANNOTATION)) {
      // A merge patch's null removes the last request's target: this one goes to last-known-good.
      annotations.put(StagingRelease.ROLLBACK_TO_ANNOTATION, null);
    }
    String patch;
    try {
      patch = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", annotations)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the annotation patch", e);
    }
    patch(name, "annotate stagingrelease " + name, patch);
    String target = parameters.get(StagingRelease.ROLLBACK_TO_ANNOTATION);
    return "annotated " + annotation + "=" + value + (target == null ? "" : " and "
        + StagingRelease.ROLLBACK_TO_ANNOTATION + "=" + target) + "; the operator acts on it at once";
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Override
  public Reports reports(String name) {
    StagingRelease r = call("get stagingrelease " + name, () -> resource(name).get());
    if (r == null) {
      throw noSuchRelease(name);
    }
    return new Reports(r, new ConfigMapReportStore(client));
  }

  @Override
  public Workload workload(String name) throws InvalidSpecException {
    StagingRelease r = call("get stagingrelease " + name, () -> resource(name).get());
    if (r == null) {
      throw noSuchRelease(name);
    }
    StagingReleaseSpec spec = r.getSpec();
    ReleaseSettings settings = ReleaseSettings.from(name, spec);
    // The operator's credentials when this user may read them, else the user's own.
    SecretReference gitRef = spec.getSource().getSecretRef();
    Workload.Git git;
    if (gitRef == null) {
      git = Workload.Git.environment("the release names no Secret in spec.source.secretRef");
    } else {
      try {
        git = new Workload.Git(SecretValues.git(gitRef.getName(), secret(gitRef.getName(), "spec.source.secretRef")),
            "the git credentials came from Secret '" + gitRef.getName() + "' (spec.source.secretRef)");
      } catch (Unreadable | SecretValues.Invalid e) {
        git = Workload.Git.environment(e.getMessage());
      }
    }
    SecretReference tlsRef = spec.getCompose() == null ? null : spec.getCompose().getTlsSecretRef();
    DockerTls tls = null;
    String tlsOrigin = null;
    if (tlsRef != null) {
      try {
        tls = SecretValues.tls(tlsRef.getName(), secret(tlsRef.getName(), "spec.compose.tlsSecretRef"));
      } catch (Unreadable | SecretValues.Invalid e) {
        tlsOrigin = e.getMessage() + ", so the TLS settings of your environment (DOCKER_CERT_PATH) were used";
      }
    }
    String absent = settings.dockerHost() != null
        ? "the operator has not deployed " + name + " there (see `backstop status " + name + " -n " + namespace + "`)"
        : name + " runs on the Docker engine of the operator's host (spec.compose.dockerHost is not set);"
            + " set DOCKER_HOST to that engine (e.g. ssh://user@host) or run this command on that host";
    return new Workload(settings, r.getStatus(), null, git, new Workload.Engine(settings.dockerHost(), tls, tlsOrigin,
        absent));
  }

  /** The decoded values of the Secret {@code name}, or why this user cannot have them. */
  private Map<String, String> secret(String name, String field) throws Unreadable {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      // The status code says enough; the body could echo request details.
      throw new Unreadable("Secret '" + name + "' (" + field + ") cannot be read in namespace " + namespace
          + (e.getCode() == 403 ? " (forbidden, 403)" : " (HTTP " + e.getCode() + ")"));
    }
    if (secret == null) {
      throw new Unreadable("Secret '" + name + "' (" + field + ") is not in namespace " + namespace);
    }
    return SecretValues.decoded(secret);
  }

  /** A Secret the user may not (or cannot) read; the message names it and why. */
  private static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public void suspend(String name, boolean suspend) {
    exists(name);
    patch(name, "patch stagingrelease " + name, "{\"spec\":{\"suspend\":" + suspend + "}}");
  }

  @Override
  public IllegalArgumentException noSuchRelease(String name) {
    return new IllegalArgumentException("stagingrelease " + name + " not found in namespace " + namespace);
  }

  @Override
  public String where() {
    return (allNamespaces ? "any namespace" : "namespace " + namespace) + " of " + server;
  }

  @Override
  public void close() {
    client.close();
  }

  private void exists(String name) {
    if (call("get stagingrelease " + name, () -> resource(name).get()) == null) {
      throw noSuchRelease(name);
    }
  }

  private void patch(String name, String what, String mergePatch) {
    call(what, () -> resource(name).patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch));
  }

  private Resource<StagingRelease> resource(String name) {
    return client.resources(StagingRelease.class).inNamespace(namespace).withName(name);
  }

  /** Runs one API call; a refusal becomes one sentence a person can act on. */
  private <T> T call(String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      String where = allNamespaces ? "at cluster scope" : "in namespace " + namespace;
      throw new IllegalArgumentException(switch (e.getCode()) {
        case 401 -> "cannot " + what + ": the API server at " + server + " did not accept the kubeconfig's credentials (401)";
        case 403 -> "cannot " + what + " " + where + ": forbidden (403); ask for RBAC on stagingreleases.backstop.dev";
        case 404 -> "cannot " + what + ": the StagingRelease API is not installed (404); apply the CRD first";
        default -> e.getCode() <= 0
            ? "cannot " + what + ": the API server at " + server + " cannot be reached"
            : "cannot " + what + ": the API server answered " + e.getCode();
      });
    }
  }
}
