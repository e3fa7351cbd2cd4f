package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** One health check; it trips after consecutiveFailures failures in a row. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheckSpec {

  @Required
  @JsonPropertyDescription("Name of the check, unique within the release.")
  private String name;

  @Required
  @JsonPropertyDescription("Kind of check: serviceHealth, http, responseTime, errorRate, exec or prometheus.")
  private CheckType type;

  @JsonPropertyDescription(
      "serviceHealth: the compose services to consider. Default: every service of the project.")
  private List<String> services;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Failures in a row that trip the check; one pass resets the count. Default 1.")
  private Integer consecutiveFailures;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @ValidationRule(value = "duration(self) >= duration('1s')", message = "interval must be at least 1s")
  @Size(max = 32)
  @JsonPropertyDescription(
      "How often this check runs, e.g. 5s. Default: spec.health.interval. responseTime and errorRate over an http check run whenever that check does.")
  private String interval;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @Size(max = 32)
  @JsonPropertyDescription(
      "How long one probe may take before it counts as failed, e.g. 2s. Default: the interval, at most 10s.")
  private String timeout;

  @JsonPropertyDescription(
      "What a tripped check does: rollback (default) or alert (phase Degraded, a warning event, no rollback).")
  private CheckAction action;

  @JsonPropertyDescription(
      "http: the URL to request, e.g. http://127.0.0.1:8080/health. prometheus and errorRate with a query: the Prometheus server, e.g. http://prometheus:9090.")
  private String url;

  @JsonPropertyDescription(
      "http: the request method. Default GET.")
  private String method;

  @JsonPropertyDescription(
      "http: the status codes that pass, a code (200) or a range (200-399). Default 200-399.")
  private String expectedStatus;

  @JsonPropertyDescription(
      "http: a regular expression the response body must contain a match of.")
  private String bodyMatch;

  @JsonPropertyDescription(
      "responseTime and errorRate: the name of the http check whose samples are judged.")
  private String check;

  @JsonPropertyDescription(
      "responseTime: the slowest passing response, e.g. 500ms (a response taking longer fails; exactly the limit passes). errorRate: the highest passing share of failed requests, e.g. 5% (more fails; exactly the limit passes).")
  private String limit;

  @JsonPropertyDescription(
      "errorRate over an http check: how far back samples count, e.g. 1m. Default 1m.")
  private String window;

  @JsonPropertyDescription(
      "prometheus: an instant PromQL query returning one number. errorRate: a query returning the error ratio between 0 and 1.")
  private String query;

  @JsonPropertyDescription(
      "prometheus: how the query's value must compare with threshold to pass: <, <=, >, >=, == or !=.")
  private String operator;

  @JsonPropertyDescription(
      "prometheus: the number the query's value is compared with, e.g. 0.05.")
  private String threshold;

  @JsonPropertyDescription(
      "serviceHealth: the lowest passing share of selected services running and healthy, e.g. 100% (default): a lower share fails.")
  private String minimum;

  @JsonPropertyDescription(
      "exec: the compose service in whose (first running) container the command runs. Other kinds: the service the"
          + " check judges, which spec.rollback.scope Service rolls back when the check trips (responseTime and"
          + " errorRate default to their http check's).")
  private String service;

  @JsonPropertyDescription(
      "exec: the command and its arguments, e.g. [redis-cli, ping]; exit code 0 passes.")
  private List<String> command;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public CheckType getType() {
    return type;
  }

  public void setType(CheckType type) {
    this.type = type;
  }

  public List<String> getServices() {
    return services;
  }

  public void setServices(List<String> services) {
    this.services = services;
  }

  public Integer getConsecutiveFailures() {
    return consecutiveFailures;
  }

  public void setConsecutiveFailures(Integer consecutiveFailures) {
    this.consecutiveFailures = consecutiveFailures;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public CheckAction getAction() {
    return action;
  }

  public void setAction(CheckAction action) {
    this.action = action;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getMethod() {
    return method;
  }

  public void setMethod(String method) {
    this.method = method;
  }

  public String getExpectedStatus() {
    return expectedStatus;
  }

  public void setExpectedStatus(String expectedStatus) {
    this.expectedStatus = expectedStatus;
  }

  public String getBodyMatch() {
    return bodyMatch;
  }

  public void setBodyMatch(String bodyMatch) {
    this.bodyMatch = bodyMatch;
  }

  public String getCheck() {
    return check;
  }

  public void setCheck(String check) {
    this.check = check;
  }

  public String getLimit() {
    return limit;
  }

  public void setLimit(String limit) {
    this.limit = limit;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }

  public String getOperator() {
    return operator;
  }

  public void setOperator(String operator) {
    this.operator = operator;
  }

  public String getThreshold() {
    return threshold;
  }

  public void setThreshold(String threshold) {
    this.threshold = threshold;
  }

  public String getMinimum() {
    return minimum;
  }

  public void setMinimum(String minimum) {
    this.minimum = minimum;
  }

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command;
  }
}
