package dev.backstop.operator.cluster;

import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.git.GitCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of the Secrets a StagingRelease names, turned into credentials: one reading for the
 * operator and the CLI. Messages name the Secret and its missing keys, never a value.
 */
public final class SecretValues {

  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String TOKEN = "token";
  static final String SSH_KEY = "ssh-privatekey";
  static final String KNOWN_HOSTS = "known_hosts";
  static final List<List<String>> TLS_KEYS =
      List.of(List.of("ca.crt", "ca.pem"), List.of("tls.crt", "cert.pem"), List.of("tls.key", "key.pem"));

  private SecretValues() {}

  /** A Secret's values, decoded; stringData over data. */
  public static Map<String, String> decoded(Secret secret) {
    Map<String, String> values = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> values.put(k, decode(v)));
    }
    if (secret.getStringData() != null) {
      // The API server folds stringData into data; test servers may not.
      values.putAll(secret.getStringData());
    }
    return values;
  }

  /** spec.source.secretRef's git credentials from the values of the Secret {@code name}. */
  public static GitCredentials git(String name, Map<String, String> data) throws Invalid {
    String password = data.getOrDefault(PASSWORD, data.get(TOKEN));
    String key = data.get(SSH_KEY);
    if (password == null && key == null) {
      throw new Invalid("Secret '" + name + "' (spec.source.secretRef) has neither '" + PASSWORD + "'/'" + TOKEN
          + "' nor '" + SSH_KEY + "'; add one of them");
    }
    return new GitCredentials(data.get(USERNAME), password, key, data.get(KNOWN_HOSTS));
  }

  /** spec.compose.tlsSecretRef's TLS material from the values of the Secret {@code name}. */
  public static DockerTls tls(String name, Map<String, String> data) throws Invalid {
    List<String> pems = new ArrayList<>();
    for (List<String> names : TLS_KEYS) {
      String pem = names.stream().map(data::get).filter(v -> v != null && !v.isBlank()).findFirst().orElse(null);
      if (pem == null) {
        throw new Invalid("Secret '" + name + "' (spec.compose.tlsSecretRef) has no '" + names.get(0) + "' (or '"
            + names.get(1) + "'); add it");
      }
      pems.add(pem);
    }
    return new DockerTls(pems.get(0), pems.get(1), pems.get(2));
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** A Secret that lacks the keys its field needs; the message says which to add. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }
}
