package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/** HTTP for local mode: /healthz, /metrics, /api/v1/releases[/NAME[/reconcile]]. */
final class StatusServer {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final LocalDaemon daemon;
  private final HttpServer http;

  StatusServer(LocalDaemon daemon, String address, int port) throws IOException {
    this.daemon = daemon;
    this.http = HttpServer.create(new InetSocketAddress(address, port), 0);
    http.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http");
      t.setDaemon(true);
      return t;
    }));
    http.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    http.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4", daemon.metrics().scrape()));
    http.createContext("/api/v1/releases", this::releases);
  }

  void start() {
    http.start();
  }

  int port() {
    return http.getAddress().getPort();
  }

  void stop() {
    http.stop(0);
  }

  private void releases(HttpExchange ex) throws IOException {
    String rest = ex.getRequestURI().getPath().substring("/api/v1/releases".length());
    Map<String, StagingRelease> releases = daemon.releases();
    if (rest.isEmpty() || rest.equals("/")) {
      List<Map<String, Object>> all = new ArrayList<>();
      for (String name : daemon.store().names()) {
        all.add(view(name, releases.get(name)));
      }
      send(ex, 200, "application/json", daemon.redactor().redact(JSON.writeValueAsString(all)));
      return;
    }
    String[] parts = rest.substring(1).split("/");
    String name = parts[0];
    if (parts.length == 2 && parts[1].equals("reconcile") && ex.getRequestMethod().equals("POST")) {
      boolean found = daemon.trigger(name);
      send(ex, found ? 202 : 404, "application/json", found ? "{\"reconciling\":true}" : error(name));
      return;
    }
    if (parts.length != 1 || (releases.get(name) == null && daemon.status(name).isEmpty())) {
      send(ex, 404, "application/json", error(name));
      return;
    }
    send(ex, 200, "application/json",
        daemon.redactor().redact(JSON.writeValueAsString(view(name, releases.get(name)))));
  }

  private Map<String, Object> view(String name, StagingRelease release) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    if (release != null) {
      v.put("spec", release.getSpec());
    }
    v.put("status", daemon.status(name).orElse(null));
    return v;
  }

  private static String error(String name) {
    return "{\"error\":\"no release named " + name.replaceAll("[^a-z0-9-]", "") + "\"}";
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
