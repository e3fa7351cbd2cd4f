package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.StagingReleaseSpec;

/** Parses a test's spec the way the loop does, failing the test when the spec is invalid. */
public final class TestSettings {

  private TestSettings() {}

  public static ReleaseSettings of(String name, StagingReleaseSpec spec) {
    try {
      return ReleaseSettings.from(name, spec);
    } catch (InvalidSpecException e) {
      throw new AssertionError("the test's spec is invalid: " + e.getMessage(), e);
    }
  }
}
