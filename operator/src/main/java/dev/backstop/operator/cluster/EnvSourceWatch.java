package dev.backstop.operator.cluster;

import dev.backstop.operator.api.v1alpha1.EnvFromSource;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Informers on the Secrets and ConfigMaps that spec.compose.envFrom names: a change reconciles
 * exactly the releases that reference it (by an index on the primary cache), so variables are
 * watched rather than re-read on a timer. The core then sees a new fingerprint and re-applies.
 */
final class EnvSourceWatch {

  private static final String SECRET_INDEX = "backstop-env-secrets";
  private static final String CONFIGMAP_INDEX = "backstop-env-configmaps";

  private EnvSourceWatch() {}

  /** Indexes releases by namespace#name of each Secret and ConfigMap their envFrom names. */
  static void index(EventSourceContext<StagingRelease> context) {
    context.getPrimaryCache().addIndexer(SECRET_INDEX, r -> keys(r, true));
    context.getPrimaryCache().addIndexer(CONFIGMAP_INDEX, r -> keys(r, false));
  }

  static InformerEventSource<Secret, StagingRelease> secrets(EventSourceContext<StagingRelease> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, StagingRelease.class)
        .withName("env-secrets")
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(s -> referencing(context, SECRET_INDEX, s))
        .build(), context);
  }

  static InformerEventSource<ConfigMap, StagingRelease> configMaps(EventSourceContext<StagingRelease> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, StagingRelease.class)
        .withName("env-configmaps")
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(c -> referencing(context, CONFIGMAP_INDEX, c))
        .build(), context);
  }

  private static Set<ResourceID> referencing(
      EventSourceContext<StagingRelease> context, String index, HasMetadata object) {
    String key = object.getMetadata().getNamespace() + "#" + object.getMetadata().getName();
    return context.getPrimaryCache().byIndex(index, key).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  static List<String> keys(StagingRelease release, boolean secrets) {
    List<String> keys = new ArrayList<>();
    if (release.getSpec() == null || release.getSpec().getCompose() == null
        || release.getSpec().getCompose().getEnvFrom() == null) {
      return keys;
    }
    String ns = release.getMetadata().getNamespace();
    for (EnvFromSource source : release.getSpec().getCompose().getEnvFrom()) {
      if (secrets && source.getSecretRef() != null) {
        keys.add(ns + "#" + source.getSecretRef().getName());
      } else if (!secrets && source.getConfigMapRef() != null) {
        keys.add(ns + "#" + source.getConfigMapRef().getName());
      }
    }
    return keys;
  }
}
