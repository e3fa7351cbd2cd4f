package dev.backstop.operator.core;

/**
 * What tagging the running commit before a deploy did. Never a reason to hold the deploy back.
 *
 * @param tagged the tag is in the git cache (made now, or already there from an earlier attempt)
 * @param created it was made now, rather than found from an interrupted attempt of the same deploy
 * @param pushed the remote has it too
 * @param problem why tagging or pushing failed, for people; null when nothing failed
 */
public record TagOutcome(boolean tagged, boolean created, boolean pushed, String problem) {

  public static TagOutcome pushed(boolean created) {
    return new TagOutcome(true, created, true, null);
  }

  public static TagOutcome pushFailed(boolean created, String problem) {
    return new TagOutcome(true, created, false, problem);
  }

  public static TagOutcome failed(String problem) {
    return new TagOutcome(false, false, false, problem);
  }
}
