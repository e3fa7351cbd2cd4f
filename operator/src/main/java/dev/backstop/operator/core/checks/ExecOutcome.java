package dev.backstop.operator.core.checks;

/**
 * What a command in a container did.
 *
 * @param exitCode the exit code, or null when it did not finish (timeout, engine unreachable)
 * @param output the tail of its output, or what went wrong
 * @param unavailable true when the engine could not be asked: nobody knows how the app is
 */
public record ExecOutcome(Integer exitCode, String output, boolean unavailable) {}
