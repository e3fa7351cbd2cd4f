package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.Reason;

/**
 * The desired commit as resolved from git, or why it could not be.
 *
 * @param commit full SHA, null when resolution failed
 * @param errorReason RefNotFound or SourceUnavailable when resolution failed
 * @param errorMessage for people
 * @param fetched whether the remote was fetched successfully for this observation: only then does
 *     status.lastFetchTime move
 */
public record SourceState(String commit, Reason errorReason, String errorMessage, boolean fetched) {

  public static SourceState resolved(String commit, boolean fetched) {
    return new SourceState(commit, null, null, fetched);
  }

  public static SourceState failed(Reason reason, String message, boolean fetched) {
    return new SourceState(null, reason, message, fetched);
  }

  public boolean ok() {
    return commit != null;
  }
}
