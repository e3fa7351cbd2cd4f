package dev.backstop.operator.core.checks;

import java.time.Duration;
import java.time.Instant;

/**
 * One request of an http check: what responseTime and errorRate are judged from.
 *
 * @param at when the request started
 * @param status the response status, or 0 without a response
 * @param latency time to the full response; for a timed-out request the timeout; null when the
 *     request failed without a measurable time (connection refused)
 * @param passed whether status (and body, when matched) were as expected
 * @param timedOut whether the request hit the check's timeout
 * @param detail what went wrong for people, or a summary when it passed
 */
public record HttpSample(
    Instant at, int status, Duration latency, boolean passed, boolean timedOut, String detail) {}
