package dev.backstop.operator.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.notify.Json;
import dev.backstop.operator.notify.ReportEntry;
import dev.backstop.operator.notify.ReportNotes;
import dev.backstop.operator.notify.ReportStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cluster mode's reports: the ConfigMap {@code <name>-rollback-reports} beside the release, owned
 * by it (deleted with it by the garbage collector). The operator patches only its reports key and
 * the CLI only its notes key, so neither overwrites the other.
 */
public final class ConfigMapReportStore implements ReportStore {

  private final KubernetesClient client;

  public ConfigMapReportStore(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<ReportEntry> reports(StagingRelease release) throws IOException {
    String text = read(release, REPORTS_KEY);
    return text == null ? List.of() : Json.reports(text);
  }

  @Override
  public void write(StagingRelease release, List<ReportEntry> reports) throws IOException {
    put(release, REPORTS_KEY, Json.write(reports));
  }

  @Override
  public Map<Integer, ReportNotes> notes(StagingRelease release) throws IOException {
    String text = read(release, NOTES_KEY);
    return text == null ? Map.of() : Json.notes(text);
  }

  @Override
  public void writeNotes(StagingRelease release, Map<Integer, ReportNotes> notes) throws IOException {
    put(release, NOTES_KEY, Json.write(new TreeMap<>(notes)));
  }

  private String read(StagingRelease release, String key) throws IOException {
    try {
      ConfigMap map = configMap(release).get();
      return map == null || map.getData() == null ? null : map.getData().get(key);
    } catch (KubernetesClientException e) {
      throw refused("read", release, e);
    }
  }

  /** A merge patch of the one key; the first write creates the ConfigMap, owned by the release. */
  private void put(StagingRelease release, String key, String value) throws IOException {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.putObject("data").put(key, value);
    try {
      configMap(release).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      return;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw refused("write", release, e);
      }
    }
    ConfigMap created = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(ReportStore.configMapName(release.getMetadata().getName()))
          .withNamespace(release.getMetadata().getNamespace())
          .addToLabels("app.kubernetes.io/managed-by", "backstop")
          .addToLabels("backstop.dev/release", release.getMetadata().getName())
          .addToOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion(StagingRelease.GROUP + "/" + StagingRelease.VERSION)
              .withKind("StagingRelease")
              .withName(release.getMetadata().getName())
              .withUid(release.getMetadata().getUid())
              .withController(true)
              .build())
        .endMetadata()
        .addToData(key, value)
        .build();
    try {
      client.configMaps().inNamespace(release.getMetadata().getNamespace()).resource(created).create();
    } catch (KubernetesClientException e) {
      throw refused("create", release, e);
    }
  }

  private Resource<ConfigMap> configMap(StagingRelease release) {
    return client.configMaps().inNamespace(release.getMetadata().getNamespace())
        .withName(ReportStore.configMapName(release.getMetadata().getName()));
  }

  private static IOException refused(String what, StagingRelease release, KubernetesClientException e) {
    return new IOException("cannot " + what + " ConfigMap " + release.getMetadata().getNamespace() + "/"
        + ReportStore.configMapName(release.getMetadata().getName()) + " (HTTP " + e.getCode()
        + "); check that Backstop may get, create and patch ConfigMaps there", e);
  }
}
