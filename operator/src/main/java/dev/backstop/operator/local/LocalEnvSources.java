package dev.backstop.operator.local;

import dev.backstop.operator.api.v1alpha1.Reason;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.core.Observation.Problem;
import dev.backstop.operator.core.StackEnv;
import dev.backstop.operator.engine.Access;
import dev.backstop.operator.notify.SecretLookup;
import dev.backstop.operator.engine.BackupSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Local mode's Secrets and ConfigMaps for spec.compose.envFrom and spec.backup's secretRefs: files beside the manifests,
 * {@code secrets/<name>.env} and {@code configmaps/<name>.env}, one {@code NAME=value} a line
 * ({@code #} comments and blank lines skipped, one pair of surrounding quotes removed, nothing
 * expanded). Read at every reconcile; messages name files and line numbers, never a value.
 */
public final class LocalEnvSources {

  private final Path manifests;

  /** Env sources beside the manifests in {@code manifests}. */
  public LocalEnvSources(Path manifests) {
    this.manifests = manifests;
  }

  /** The release's stack variables, or a problem that blocks it like a missing Secret would. */
  public Access resolve(StagingRelease release) {
    try {
      StackEnv env = StackEnv.resolve(release.getSpec() == null ? null : release.getSpec().getCompose(),
          (kind, name) -> read(kind, name, "spec.compose.envFrom"));
      BackupSecrets backup = BackupSecrets.resolve(release.getSpec() == null ? null : release.getSpec().getBackup(),
          (name, field) -> read(StackEnv.Kind.Secret, name, field));
      return Access.of(env, backup);
    } catch (StackEnv.Unreadable e) {
      return Access.blocked(new Problem(e.missing() ? Reason.SecretNotFound : Reason.SecretInvalid, e.getMessage()));
    }
  }

  /**
   * A webhook's signing secret (spec.notify.webhooks[].secretRef): the line {@code secret=...} of
   * {@code secrets/<name>.env}, the file envFrom's Secrets come from.
   */
  String webhookSecret(String namespace, String name) throws SecretLookup.Missing {
    String shown = manifests.relativize(file(StackEnv.Kind.Secret, name)).toString();
    Map<String, String> values;
    try {
      values = read(StackEnv.Kind.Secret, name, "spec.notify.webhooks[].secretRef");
    } catch (StackEnv.Unreadable e) {
      throw new SecretLookup.Missing("Secret '" + name + "' (spec.notify.webhooks[].secretRef) cannot be read: "
          + (e.missing() ? "create " + shown + " beside the manifests" : e.getMessage()));
    }
    String secret = values.get(SecretLookup.KEY);
    if (secret == null || secret.isEmpty()) {
      throw new SecretLookup.Missing(shown + " (spec.notify.webhooks[].secretRef) has no line " + SecretLookup.KEY
          + "=...; add one");
    }
    return secret;
  }

  Path file(StackEnv.Kind kind, String name) {
    return manifests.resolve(kind == StackEnv.Kind.Secret ? "secrets" : "configmaps").resolve(name + ".env");
  }

  private Map<String, String> read(StackEnv.Kind kind, String name, String field) throws StackEnv.Unreadable {
    Path file = file(kind, name);
    String shown = manifests.relativize(file).toString();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new StackEnv.Unreadable(kind + " '" + name + "' (" + field + ") not found: create " + shown
          + " beside the manifests", true);
    } catch (IOException e) {
      throw new StackEnv.Unreadable(kind + " '" + name + "' (" + field + "): cannot read " + shown + ": "
          + e.getClass().getSimpleName(), false);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new StackEnv.Unreadable(shown + " line " + (i + 1) + " is not NAME=value", false);
      }
      values.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
    }
    return values;
  }

  private static String unquote(String v) {
    boolean quoted = v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'')
        && v.charAt(v.length() - 1) == v.charAt(0);
    return quoted ? v.substring(1, v.length() - 1) : v;
  }
}
