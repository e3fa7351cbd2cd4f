package dev.backstop.operator.core;

import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import java.time.Duration;

/**
 * The outcome of deciding: the status to record now, the step to take, and when to look again.
 */
public record Decision(StagingReleaseStatus status, Action action, Duration requeueAfter) {}
