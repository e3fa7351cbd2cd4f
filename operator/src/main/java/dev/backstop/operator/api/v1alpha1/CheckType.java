package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Kinds of health check. */
public enum CheckType {
  /** Every selected compose service is running, and healthy where it has a healthcheck. */
  @JsonProperty("serviceHealth")
  SERVICE_HEALTH,
  /** An HTTP request whose status (and optionally body) must match; measures response time. */
  @JsonProperty("http")
  HTTP,
  /** A limit on the response time an http check measured, e.g. 500ms. */
  @JsonProperty("responseTime")
  RESPONSE_TIME,
  /** Share of failed requests over a window of an http check's samples, or a Prometheus ratio. */
  @JsonProperty("errorRate")
  ERROR_RATE,
  /** A command run in a service's container; exit code 0 passes. */
  @JsonProperty("exec")
  EXEC,
  /** An instant PromQL query whose value is compared with a threshold. */
  @JsonProperty("prometheus")
  PROMETHEUS
}
