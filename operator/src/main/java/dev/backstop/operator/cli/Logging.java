package dev.backstop.operator.cli;

/** Log format for people: a timestamp, a level, the message; libraries only when they warn. */
final class Logging {

  private Logging() {}

  static void configure() {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showLogName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "false");
    setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
    setDefault("org.slf4j.simpleLogger.logFile", "System.out");
    for (String noisy : new String[] {"com.github.dockerjava", "org.apache.hc", "org.eclipse.jgit", "io.fabric8", "io.javaoperatorsdk"}) {
      setDefault("org.slf4j.simpleLogger.log." + noisy, "warn");
    }
    // "unstable version v1alpha1" on every client use: true, known, and it would garble CLI output.
    setDefault("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
