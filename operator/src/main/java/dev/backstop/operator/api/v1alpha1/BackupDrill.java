package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The result of restoring one backup into a throwaway container and checking what it holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupDrill {

  @JsonPropertyDescription("Succeeded when the restore and the integrity check both passed.")
  private Result result;

  @JsonPropertyDescription("When the drill finished (RFC 3339).")
  private String time;

  @JsonPropertyDescription("What the integrity check found (e.g. tables and rows), or why the drill failed.")
  private String message;

  public Result getResult() {
    return result;
  }

  public void setResult(Result result) {
    this.result = result;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
