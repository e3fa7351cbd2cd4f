package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Kinds of health check. */
public enum CheckType {
  /** Every selected compose service is running, and healthy where it has a healthcheck. */
  @JsonProperty("serviceHealth")
  SERVICE_HEALTH
}
