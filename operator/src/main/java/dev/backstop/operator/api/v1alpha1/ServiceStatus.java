package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of one compose service. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ServiceStatus {

  @JsonPropertyDescription("Compose service name.")
  private String name;

  @JsonPropertyDescription("Container state as Docker reports it (running, exited, ...), or missing.")
  private String state;

  @JsonPropertyDescription("healthy, unhealthy, starting, or none when the service has no healthcheck.")
  private String health;

  @JsonPropertyDescription("Image the container runs.")
  private String image;

  @JsonPropertyDescription("Commit of the checkout the container was created from.")
  private String commit;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getState() {
    return state;
  }

  public void setState(String state) {
    this.state = state;
  }

  public String getHealth() {
    return health;
  }

  public void setHealth(String health) {
    this.health = health;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getCommit() {
    return commit;
  }

  public void setCommit(String commit) {
    this.commit = commit;
  }
}
