package dev.backstop.operator.cluster;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.SecretReference;
import dev.backstop.operator.engine.BackupSecrets;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;
import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.git.GitCredentials;
import dev.backstop.operator.notify.SecretLookup;
import dev.backstop.operator.core.StackEnv;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;

/**
 * Reads the Secrets a StagingRelease names and turns them into {@link Access} ({@link SecretValues}
 * reads their keys). Messages name the Secret and its missing keys, never a value.
 */
final class SecretAccess {

  private final KubernetesClient client;

  SecretAccess(KubernetesClient client) {
    this.client = client;
  }

  Access resolve(StagingRelease release) {
    String namespace = release.getMetadata().getNamespace();
    StagingReleaseSpec spec = release.getSpec();
    GitCredentials git = null;
    DockerTls tls = null;
    try {
      SecretReference gitRef = spec == null || spec.getSource() == null ? null : spec.getSource().getSecretRef();
      if (gitRef != null) {
        git = SecretValues.git(gitRef.getName(), read(namespace, gitRef, "spec.source.secretRef"));
      }
      SecretReference tlsRef = spec == null || spec.getCompose() == null ? null : spec.getCompose().getTlsSecretRef();
      if (tlsRef != null) {
        tls = SecretValues.tls(tlsRef.getName(), read(namespace, tlsRef, "spec.compose.tlsSecretRef"));
      }
      StackEnv env = stackEnv(namespace, spec);
      return new Access(git, null, tls, env, backupSecrets(namespace, spec));
    } catch (SecretValues.Invalid e) {
      return Access.blocked(new Problem(Reason.SecretInvalid, e.getMessage()));
    } catch (Blocked b) {
      return Access.blocked(new Problem(b.reason, b.getMessage()));
    }
  }

  /** A webhook's signing secret: key {@link SecretLookup#KEY} of the Secret spec.notify.webhooks[].secretRef names. */
  String webhookSecret(String namespace, String name) throws SecretLookup.Missing {
    Map<String, String> data;
    try {
      data = read(namespace, new SecretReference(name), "spec.notify.webhooks[].secretRef");
    } catch (Blocked b) {
      throw new SecretLookup.Missing(b.getMessage());
    }
    String secret = data.get(SecretLookup.KEY);
    if (secret == null || secret.isEmpty()) {
      throw new SecretLookup.Missing("Secret '" + name + "' (spec.notify.webhooks[].secretRef) has no key '"
          + SecretLookup.KEY + "'; add it");
    }
    return secret;
  }

  private BackupSecrets backupSecrets(String namespace, StagingReleaseSpec spec) throws Blocked {
    try {
      return BackupSecrets.resolve(spec == null ? null : spec.getBackup(), (name, field) -> {
        try {
          return read(namespace, new SecretReference(name), field);
        } catch (Blocked b) {
          throw new StackEnv.Unreadable(b.getMessage(), true);
        }
      });
    } catch (StackEnv.Unreadable e) {
      throw new Blocked(e.missing() ? Reason.SecretNotFound : Reason.SecretInvalid, e.getMessage());
    }
  }

  /** spec.compose.env over envFrom's Secrets and ConfigMaps; nothing of a value reaches a message. */
  private StackEnv stackEnv(String namespace, StagingReleaseSpec spec) throws Blocked {
    try {
      return StackEnv.resolve(spec == null ? null : spec.getCompose(), (kind, name) -> kind == StackEnv.Kind.Secret
          ? readEnvSecret(namespace, name) : readConfigMap(namespace, name));
    } catch (StackEnv.Unreadable e) {
      throw new Blocked(Reason.SecretNotFound, e.getMessage());
    }
  }

  private Map<String, String> readEnvSecret(String namespace, String name) throws StackEnv.Unreadable {
    try {
      return read(namespace, new SecretReference(name), "spec.compose.envFrom");
    } catch (Blocked b) {
      throw new StackEnv.Unreadable(b.getMessage(), true);
    }
  }

  private Map<String, String> readConfigMap(String namespace, String name) throws StackEnv.Unreadable {
    ConfigMap map;
    try {
      map = client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new StackEnv.Unreadable("ConfigMap '" + name + "' (spec.compose.envFrom) cannot be read (HTTP "
          + e.getCode() + "); check that Backstop may get ConfigMaps in namespace " + namespace, false);
    }
    if (map == null) {
      throw new StackEnv.Unreadable("ConfigMap '" + name + "' (spec.compose.envFrom) not found in namespace "
          + namespace + "; create it or fix the name", true);
    }
    return map.getData() == null ? Map.of() : map.getData();
  }

  private Map<String, String> read(String namespace, SecretReference ref, String field) throws Blocked {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    } catch (KubernetesClientException e) {
      // The status code says enough; the body could echo request details.
      throw new Blocked(Reason.SecretNotFound, "Secret '" + ref.getName() + "' (" + field + ") cannot be read (HTTP "
          + e.getCode() + "); check that Backstop may get Secrets in namespace " + namespace);
    }
    if (secret == null) {
      throw new Blocked(Reason.SecretNotFound, "Secret '" + ref.getName() + "' (" + field + ") not found in namespace "
          + namespace + "; create it or fix the name");
    }
    return SecretValues.decoded(secret);
  }

  /** A credential problem that blocks the reconcile. */
  private static final class Blocked extends Exception {
    final Reason reason;

    Blocked(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }
}
