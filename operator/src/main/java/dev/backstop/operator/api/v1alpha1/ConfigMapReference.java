package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A ConfigMap in the StagingRelease's own namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapReference {

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the ConfigMap, in the namespace of the StagingRelease.")
  private String name;

  public ConfigMapReference() {}

  public ConfigMapReference(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
