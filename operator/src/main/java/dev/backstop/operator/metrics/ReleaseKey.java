package dev.backstop.operator.metrics;

/**
 * The namespace and name a driver's release key stands for: the cluster driver passes
 * "namespace/name", local mode the bare name (its manifests load into namespace "default").
 */
record ReleaseKey(String namespace, String name) {

  static final String LOCAL_NAMESPACE = "default";

  static ReleaseKey of(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return new ReleaseKey(LOCAL_NAMESPACE, key);
    }
    String namespace = key.substring(0, slash);
    return new ReleaseKey(namespace.isEmpty() ? LOCAL_NAMESPACE : namespace, key.substring(slash + 1));
  }
}
