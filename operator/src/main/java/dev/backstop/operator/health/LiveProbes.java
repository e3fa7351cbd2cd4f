package dev.backstop.operator.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import dev.backstop.operator.compose.ComposeException;
import dev.backstop.operator.compose.DockerEndpoint;
import dev.backstop.operator.compose.DockerHosts;
import dev.backstop.operator.compose.ExecProcesses;
import dev.backstop.operator.core.Durations;
import dev.backstop.operator.core.checks.ExecOutcome;
import dev.backstop.operator.core.checks.HttpCheck;
import dev.backstop.operator.core.checks.HttpSample;
import dev.backstop.operator.core.checks.QueryOutcome;
import dev.backstop.operator.core.checks.QueryOutcome.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/** {@link Probes} against the real thing: java.net.http, docker-java exec, the Prometheus HTTP API. */
public final class LiveProbes implements Probes, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OUTPUT_LIMIT = 300;
  /** At most this much of a response body is read: enough for any bodyMatch on a health page. */
  static final int BODY_LIMIT = 1024 * 1024;
  /** At most this much exec output is kept while the command runs (its tail is reported). */
  static final int EXEC_OUTPUT_LIMIT = 64 * 1024;

  /** A probe or query target that does not accept a connection within this is reported unreachable. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  private final DockerHosts docker;

  /** Probes whose exec checks run through {@code docker}, which the caller owns. */
  public LiveProbes(DockerHosts docker) {
    this.docker = docker;
  }

  @Override
  public HttpSample http(HttpCheck check, Instant at) {
    long start = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(check.url()))
        .timeout(check.timeout())
        .method(check.method(), HttpRequest.BodyPublishers.noBody())
        .header("User-Agent", "backstop-health")
        .build();
    // The request's own timeout stops at the headers; this deadline also covers a body that dribbles.
    CompletableFuture<HttpResponse<CappedBody.Body>> call = http.sendAsync(request, CappedBody.handler(BODY_LIMIT));
    HttpResponse<CappedBody.Body> response;
    try {
      response = call.get(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      return timedOut(check, at);
    } catch (ExecutionException e) {
      return failed(check, at, e.getCause());
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      return new HttpSample(at, 0, null, false, false, "interrupted");
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - start);
    int status = response.statusCode();
    if (status < check.statusFrom() || status > check.statusTo()) {
      return new HttpSample(at, status, latency, false, false, check.method() + " " + check.url() + " answered "
          + status + ", expected " + check.expectedStatus());
    }
    CappedBody.Body body = response.body();
    if (check.bodyMatch() != null && !check.bodyMatch().matcher(body.text()).find()) {
      return new HttpSample(at, status, latency, false, false,
          "the response body" + (body.truncated() ? " (its first " + BODY_LIMIT / 1024 + " KiB)" : "")
              + " does not match /" + check.bodyMatch().pattern() + "/");
    }
    return new HttpSample(at, status, latency, true, false, check.method() + " " + check.url() + " answered " + status);
  }

  private static HttpSample timedOut(HttpCheck check, Instant at) {
    return new HttpSample(at, 0, check.timeout(), false, true,
        "no complete response from " + check.url() + " within the " + Durations.format(check.timeout()) + " timeout");
  }

  private static HttpSample failed(HttpCheck check, Instant at, Throwable cause) {
    if (cause instanceof HttpConnectTimeoutException) {
      return new HttpSample(at, 0, null, false, false, "cannot connect to " + check.url() + " within " + Durations.format(CONNECT_TIMEOUT));
    }
    if (cause instanceof HttpTimeoutException) {
      return timedOut(check, at);
    }
    if (cause instanceof ConnectException) {
      return new HttpSample(at, 0, null, false, false, "cannot connect to " + check.url() + ": connection refused");
    }
    return new HttpSample(at, 0, null, false, false, "request to " + check.url() + " failed: " + cause);
  }

  @Override
  public ExecOutcome exec(DockerEndpoint dockerHost, String containerId, List<String> command, Duration timeout) {
    DockerClient client;
    ExecCreateCmdResponse created;
    try {
      client = docker.client(dockerHost, DockerHosts.Purpose.API);
      created = client.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
          .withAttachStdout(true).withAttachStderr(true).exec();
    } catch (ComposeException | RuntimeException e) {
      return new ExecOutcome(null, "cannot start the command through the Docker engine: " + e.getMessage(), true);
    }
    StringBuilder output = new StringBuilder();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (output) {
          output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          // Keep the tail only: a command that floods its output must not fill the heap.
          if (output.length() > EXEC_OUTPUT_LIMIT) {
            output.delete(0, output.length() - EXEC_OUTPUT_LIMIT);
          }
        }
      }
    };
    try (ResultCallback.Adapter<Frame> running = client.execStartCmd(created.getId()).exec(callback)) {
      if (!running.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new ExecOutcome(null, "still running after the " + Durations.format(timeout) + " timeout"
            + ExecProcesses.kill(client, dockerHost, created.getId()), false);
      }
      Long exit = client.inspectExecCmd(created.getId()).exec().getExitCodeLong();
      String out;
      synchronized (output) {
        out = tail(output.toString().trim());
      }
      return new ExecOutcome(exit == null ? null : exit.intValue(), out, exit == null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ExecOutcome(null, "interrupted", true);
    } catch (IOException | RuntimeException e) {
      return new ExecOutcome(null, "the command failed through the Docker engine: " + e.getMessage(), true);
    }
  }

  private static String tail(String s) {
    return s.length() <= OUTPUT_LIMIT ? s : "..." + s.substring(s.length() - OUTPUT_LIMIT);
  }

  @Override
  public QueryOutcome query(String prometheusUrl, String query, Duration timeout) {
    String base = prometheusUrl.endsWith("/") ? prometheusUrl.substring(0, prometheusUrl.length() - 1) : prometheusUrl;
    URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
        + "&timeout=" + Math.max(1, timeout.toMillis()) + "ms");
    // One deadline over connect, headers and body, as for http probes: a server that accepts and
    // never answers, or dribbles its answer, is cut off at the check's timeout.
    CompletableFuture<HttpResponse<CappedBody.Body>> call =
        http.sendAsync(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), CappedBody.handler(BODY_LIMIT));
    HttpResponse<CappedBody.Body> response;
    try {
      response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      return new QueryOutcome(null, Kind.UNAVAILABLE, "Prometheus at " + base + " gave no complete answer within the "
          + Durations.format(timeout) + " timeout");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String why = cause instanceof HttpTimeoutException
          ? "no complete answer within the " + Durations.format(timeout) + " timeout" : String.valueOf(cause);
      return new QueryOutcome(null, Kind.UNAVAILABLE, "cannot query Prometheus at " + base + ": " + why);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      return new QueryOutcome(null, Kind.UNAVAILABLE, "interrupted");
    }
    if (response.body().truncated()) {
      return new QueryOutcome(null, Kind.UNAVAILABLE, "Prometheus at " + base + " answered more than "
          + BODY_LIMIT / 1024 + " KiB; use a query that returns one series");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body().text());
    } catch (IOException e) {
      return new QueryOutcome(null, Kind.UNAVAILABLE, "Prometheus at " + base + " answered " + response.statusCode()
          + " without a JSON body; is the url a Prometheus server?");
    }
    if (!"success".equals(body.path("status").asText())) {
      String error = body.path("errorType").asText("?") + ": " + body.path("error").asText("");
      // bad_data (400) and execution (422) errors are the query's fault; anything else is the server's.
      boolean rejected = response.statusCode() == 400 || response.statusCode() == 422;
      return new QueryOutcome(null, rejected ? Kind.REJECTED : Kind.UNAVAILABLE,
          "Prometheus " + (rejected ? "rejected" : "failed") + " the query " + query + ": " + error);
    }
    JsonNode data = body.path("data");
    JsonNode result = data.path("result");
    JsonNode pair;
    switch (data.path("resultType").asText()) {
      case "vector" -> {
        if (result.isEmpty()) {
          return new QueryOutcome(null, Kind.NO_DATA, "the query " + query + " returned no series");
        }
        pair = result.get(0).path("value");
      }
      case "scalar" -> pair = result;
      default -> {
        return new QueryOutcome(null, Kind.REJECTED, "the query " + query + " returns a "
            + data.path("resultType").asText() + "; use one that returns an instant vector or a scalar");
      }
    }
    try {
      return new QueryOutcome(Double.parseDouble(pair.get(1).asText()), Kind.OK, "ok");
    } catch (RuntimeException e) {
      return new QueryOutcome(null, Kind.UNAVAILABLE, "cannot read the value Prometheus returned: " + pair);
    }
  }

  @Override
  public void close() {
    // The Docker clients belong to DockerHosts, and java.net.http's client on Java 17 has no close.
  }
}
