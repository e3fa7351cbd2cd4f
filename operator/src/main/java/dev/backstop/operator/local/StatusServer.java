package dev.backstop.operator.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.operator.api.v1alpha1.CheckStatus;
import dev.backstop.operator.api.v1alpha1.CheckType;
import dev.backstop.operator.api.v1alpha1.HealthCheckSpec;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import dev.backstop.operator.core.Redactor;
import dev.backstop.operator.hooks.GitHookHandler;
import dev.backstop.operator.state.SecretFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status page at /, /api/v1/releases[/NAME] and the event stream /api/v1/events. In local mode
 * also /healthz, /metrics, the git hook and the state-changing POSTs, which need the API token; on
 * an operator's port read-only, beside the operator's own probes and metrics.
 */
public final class StatusServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();
  private static final byte[] LIST_OPEN = "[ ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LIST_SEPARATOR = ", ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LIST_CLOSE = " ]".getBytes(StandardCharsets.UTF_8);

  /** Worker threads; each open event stream holds one. */
  static final int THREADS = 16;
  /** Event streams open at once; the rest of the threads stay for the API. */
  static final int STREAMS = 8;
  /**
   * Connections open at once (the JDK server closes the ones beyond it at accept). The executor's
   * queue holds as many, so it never has to refuse an exchange: a refusal would end the JDK's
   * dispatcher thread and with it the server.
   */
  static final int CONNECTIONS = 32;
  /** Seconds a client may take to send a request (slow-loris bound); responses are not bounded. */
  static final int REQUEST_SECONDS = 10;
  /** Seconds an idle keep-alive connection stays open. */
  static final int IDLE_SECONDS = 30;

  /** The git servers' shared webhook secret, in the state directory beside the API token. */
  static final String HOOK_SECRET_FILE = "hook-secret";

  /** POST /api/v1/releases/NAME/ACTION: the request kind each action records. */
  private static final Map<String, String> ACTIONS = Map.of(
      "rollback", StagingRelease.ROLLBACK_ANNOTATION,
      "emergency-rollback", StagingRelease.EMERGENCY_ROLLBACK_ANNOTATION,
      "retry", StagingRelease.RETRY_ANNOTATION,
      "backup", StagingRelease.BACKUP_ANNOTATION);

  private static final Map<String, String> ASSETS = Map.of(
      "/ui/app.js", "application/javascript; charset=utf-8",
      "/ui/app.css", "text/css; charset=utf-8",
      "/ui/favicon.svg", "image/svg+xml");

  /** What a read-only page says instead of its buttons, and a refused POST answers. */
  static final String READ_ONLY_NOTE = "This page is read-only: act on a release with kubectl annotations"
      + " or kubectl backstop (rollback, retry, suspend, backup).";

  private final StatusSource source;
  // Empty on an operator's port: no token, no actions.
  private final Optional<Local> local;
  private final HttpServer http;
  private final ExecutorService executor;
  private final RequestGuard guard;
  private final CheckSamples samples = new CheckSamples(40);
  private final StatusFeed feed;
  private final Semaphore streams = new Semaphore(STREAMS);
  private final Map<String, Rendered> rendered = new ConcurrentHashMap<>();
  private volatile Listing listing;
  private final Clock clock;

  /** What only a local daemon has: its actions, their token, and the git hook. */
  private record Local(LocalDaemon daemon, ApiToken token, RequestStore requests, GitHookHandler hooks) {
    static Local of(LocalDaemon daemon, Path stateDir) throws IOException {
      return new Local(daemon, ApiToken.loadOrCreate(stateDir), new RequestStore(daemon.store()),
          new GitHookHandler(Optional.of(SecretFile.loadOrCreate(stateDir.resolve(HOOK_SECRET_FILE))),
              (matches, delivery) -> daemon.fetchNow(matches)));
    }
  }

  StatusServer(LocalDaemon daemon, Path stateDir, String address, int port) throws IOException {
    this(new LocalStatusSource(daemon), Optional.of(Local.of(daemon, stateDir)), httpServer(address, port));
  }

  private StatusServer(StatusSource source, Optional<Local> local, HttpServer http) {
    this.source = source;
    this.local = local;
    this.clock = Clock.systemUTC();
    this.http = http;
    InetSocketAddress bound = http.getAddress();
    this.guard = new RequestGuard(bound.getAddress(), bound.getPort());
    this.executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(CONNECTIONS), r -> {
          Thread t = new Thread(r, "http");
          t.setDaemon(true);
          return t;
        }, (r, pool) -> LOG.warn("HTTP executor full; a request was dropped"));
    http.setExecutor(executor);
    this.feed = new StatusFeed(source, samples, clock, name -> rendered(name, source.releases().get(name)).compact());
    http.createContext("/", this::route);
  }

  /**
   * The page read-only at / of {@code http}, which is not started yet and whose more specific
   * contexts (probes, metrics) stay its owner's. Start it with {@link #start()}.
   */
  public static StatusServer readOnly(StatusSource source, HttpServer http) {
    return new StatusServer(source, Optional.empty(), http);
  }

  /** An HTTP server bound to the address, with the limits the status page needs. */
  public static HttpServer httpServer(String address, int port) throws IOException {
    limitJdkServer();
    return HttpServer.create(new InetSocketAddress(address, port), 0);
  }

  // The JDK server reads these once per process, when its first server is made; only this server
  // runs in a process (the daemon's, or the operator's port). A value set on the command line wins.
  private static void limitJdkServer() {
    setIfAbsent("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.idleInterval", String.valueOf(IDLE_SECONDS));
    setIfAbsent("jdk.httpserver.maxConnections", String.valueOf(CONNECTIONS));
    // The server writes headers and body apart; with Nagle on, a keep-alive client's delayed ACK
    // held every body back by ~40 ms (the API's p50 went from 2.6 ms to 43 ms).
    setIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Starts the feed and the server. */
  public void start() {
    feed.start(Duration.ofMillis(500));
    http.start();
    if (local.isPresent()) {
      LOG.info("status page on http://{}:{}/ (its buttons need the token in the state directory, file {})",
          guard.pageHost(), port(), ApiToken.FILE);
    } else {
      LOG.info("status page (read-only) on http://{}:{}/", guard.pageHost(), port());
    }
  }

  int port() {
    return http.getAddress().getPort();
  }

  void stop() {
    feed.close();
    http.stop(0);
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop();
  }

  private void route(HttpExchange ex) throws IOException {
    try {
      if (local.isPresent() && ex.getRequestURI().getPath().equals(GitHookHandler.PATH)) {
        // A git server on another machine names the daemon by its own DNS name: the hook's HMAC,
        // not the Host header, is what proves the delivery.
        local.get().hooks().handle(ex);
        return;
      }
      String host = ex.getRequestHeaders().getFirst("Host");
      Optional<RequestGuard.Refusal> misdirected = guard.checkHost(host);
      if (misdirected.isPresent()) {
        refuse(ex, misdirected.get());
        return;
      }
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (method.equals("POST") && local.isPresent()) {
        post(ex, path, host, local.get());
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", local.isPresent() ? "GET, HEAD, POST" : "GET, HEAD");
        if (local.isEmpty()) {
          send(ex, 405, "application/json", error(READ_ONLY_NOTE));
          return;
        }
        send(ex, 405, "application/json", error("method " + method + " is not supported"));
        return;
      }
      get(ex, path);
    } catch (IOException e) {
      // The client went away mid-answer: nothing to tell anyone.
      LOG.debug("HTTP {}: {}", ex.getRequestURI(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("HTTP {} failed", ex.getRequestURI(), e);
      send(ex, 500, "application/json", error("internal error: " + e.getMessage()));
    } finally {
      ex.close();
    }
  }

  private void get(HttpExchange ex, String path) throws IOException {
    if (local.isPresent() && path.equals("/healthz")) {
      send(ex, 200, "text/plain", "ok\n");
    } else if (local.isPresent() && path.equals("/metrics")) {
      send(ex, 200, "text/plain; version=0.0.4", local.get().daemon().metrics().scrape());
    } else if (path.equals("/api/v1/events") && ex.getRequestMethod().equals("GET")) {
      events(ex);
    } else if (path.equals("/api/v1/releases") || path.startsWith("/api/v1/releases/")) {
      long started = System.nanoTime();
      releases(ex, path.substring("/api/v1/releases".length()));
      local.ifPresent(l -> l.daemon().metrics().apiRead(Duration.ofNanos(System.nanoTime() - started)));
    } else if (path.equals("/") || path.equals("/releases") || path.startsWith("/releases/")) {
      // One page; the script shows the list or a release from the path.
      asset(ex, "index.html", "text/html; charset=utf-8", local.isPresent() ? html -> html : StatusServer::readOnlyPage);
    } else if (ASSETS.containsKey(path)) {
      asset(ex, path.substring("/ui/".length()), ASSETS.get(path), body -> body);
    } else {
      send(ex, 404, "application/json", error("nothing at " + path));
    }
  }

  private void releases(HttpExchange ex, String rest) throws IOException {
    Map<String, StagingRelease> releases = source.releases();
    if (rest.isEmpty() || rest.equals("/")) {
      List<String> names = source.names();
      List<Rendered> views = new ArrayList<>(names.size());
      for (String name : names) {
        views.add(rendered(name, releases.get(name)));
      }
      rendered.keySet().retainAll(names);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      sendBytes(ex, 200, listing(views));
      return;
    }
    String name = rest.substring(1);
    if (!known(name, releases)) {
      send(ex, 404, "application/json", error("no release named " + safe(name)));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    sendBytes(ex, 200, rendered(name, releases.get(name)).prettyBytes());
  }

  /**
   * The listing of these views as bytes, joined again only when one of them is a new rendering:
   * a dashboard polling 50 releases got a fresh 50-view string, its copy and its UTF-8 bytes at
   * every read, garbage that the daemon's small serial-collected heap paid for in pauses.
   */
  private byte[] listing(List<Rendered> views) {
    Listing last = listing;
    if (last != null && last.views().size() == views.size()) {
      boolean same = true;
      for (int i = 0; i < views.size() && same; i++) {
        same = last.views().get(i) == views.get(i);
      }
      if (same) {
        return last.body();
      }
    }
    int size = 4;
    for (Rendered v : views) {
      size += v.prettyBytes().length + 2;
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream(size);
    all.writeBytes(LIST_OPEN);
    for (int i = 0; i < views.size(); i++) {
      if (i > 0) {
        all.writeBytes(LIST_SEPARATOR);
      }
      all.writeBytes(views.get(i).prettyBytes());
    }
    all.writeBytes(LIST_CLOSE);
    Listing now = new Listing(List.copyOf(views), all.toByteArray());
    // Two readers may join the same views at once; either result is the same.
    listing = now;
    return now.body();
  }

  /** The last listing served: the views it joined, in order, and its body. */
  private record Listing(List<Rendered> views, byte[] body) {}

  /**
   * The release's view as redacted JSON, rendered again only when what it shows changed: its
   * manifest, its recorded status (each record is a new object, never changed after), its check
   * samples or the redactor. Rendering and redacting every release on every read cost a listing
   * of 200 releases hundreds of milliseconds.
   */
  private Rendered rendered(String name, StagingRelease release) {
    StagingReleaseStatus status = source.status(name).orElse(null);
    long samplesVersion = samples.version(name);
    Redactor redactor = source.redactor();
    Rendered last = rendered.get(name);
    if (last != null && last.release() == release && last.status() == status
        && last.samplesVersion() == samplesVersion && last.redactor() == redactor) {
      return last;
    }
    Map<String, Object> view = view(name, release, status);
    try {
      String pretty = redactor.redact(JSON.writeValueAsString(view));
      Rendered now = new Rendered(release, status, samplesVersion, redactor,
          pretty.getBytes(StandardCharsets.UTF_8), redactor.redact(COMPACT.writeValueAsString(view)));
      // Two readers may render the same change at once; either result is the same.
      rendered.put(name, now);
      return now;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One release's view as last rendered, and what it was rendered from. */
  private record Rendered(StagingRelease release, StagingReleaseStatus status, long samplesVersion,
      Redactor redactor, byte[] prettyBytes, String compact) {}

  private boolean known(String name, Map<String, StagingRelease> releases) {
    return source.isName(name) && (releases.containsKey(name) || source.status(name).isPresent());
  }

  private void post(HttpExchange ex, String path, String host, Local local) throws IOException {
    com.sun.net.httpserver.Headers h = ex.getRequestHeaders();
    Optional<RequestGuard.Refusal> refusal = guard.checkOrigin(h.getFirst("Origin"), host)
        .or(() -> RequestGuard.checkToken(local.token(), h.getFirst("X-Backstop-Token"), h.getFirst("Authorization")))
        .or(() -> RequestGuard.checkJson(h.getFirst("Content-Type")));
    if (refusal.isPresent()) {
      refuse(ex, refusal.get());
      return;
    }
    drain(ex.getRequestBody());
    if (path.equals("/api/v1/token")) {
      // Lets the page tell a person at once whether the token they pasted is the right one.
      send(ex, 200, "application/json", "{\"token\":\"accepted\"}");
      return;
    }
    String[] parts = path.startsWith("/api/v1/releases/")
        ? path.substring("/api/v1/releases/".length()).split("/") : new String[0];
    if (parts.length != 2 || !(parts[1].equals("reconcile") || ACTIONS.containsKey(parts[1]))) {
      send(ex, 404, "application/json", error("no action at " + safe(path)
          + "; POST /api/v1/releases/NAME/{reconcile," + String.join(",", ACTIONS.keySet()) + "}"));
      return;
    }
    String name = parts[0];
    String action = parts[1];
    LocalDaemon daemon = local.daemon();
    if (!ReleaseName.isValid(name) || !daemon.releases().containsKey(name)) {
      send(ex, 404, "application/json", error("no release named " + safe(name)));
      return;
    }
    if (!action.equals("reconcile")) {
      local.requests().request(name, ACTIONS.get(action), Instant.now(clock).toString());
      LOG.info("{}: {} requested through the API", name, action);
    }
    boolean nudged = daemon.trigger(name);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("release", name);
    answer.put("requested", action);
    answer.put("message", action + " requested for " + name
        + (nudged ? "; the daemon is acting on it now" : "; the daemon acts on it at its next reconcile"));
    send(ex, 202, "application/json", COMPACT.writeValueAsString(answer));
  }

  /** Server-sent events: every release once, then each one again whenever its status changes. */
  private void events(HttpExchange ex) throws IOException {
    if (!streams.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "5");
      send(ex, 503, "application/json", error(STREAMS + " event streams are open already"));
      return;
    }
    BlockingQueue<StatusFeed.Change> queue = feed.subscribe();
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      write(out, "retry: 2000\n\n");
      Map<String, StagingRelease> releases = source.releases();
      for (String name : source.names()) {
        write(out, event("release", rendered(name, releases.get(name)).compact()));
      }
      write(out, event("ready", "{}"));
      while (true) {
        StatusFeed.Change change = queue.poll(15, TimeUnit.SECONDS);
        if (change == null) {
          // A comment line: keeps proxies from closing the stream and finds dead clients.
          write(out, ": keep-alive\n\n");
        } else if (change.release() == null) {
          return;
        } else if (change.json() == null) {
          write(out, event("removed", COMPACT.writeValueAsString(Map.of("name", change.release()))));
        } else {
          write(out, event("release", change.json()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      feed.unsubscribe(queue);
      streams.release();
    }
  }

  private static String event(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private Map<String, Object> view(String name, StagingRelease release, StagingReleaseStatus status) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    if (release != null) {
      v.put("spec", release.getSpec());
    }
    v.put("status", status);
    v.put("checkSamples", checkSamples(name, release, status));
    return v;
  }

  /** Per check: its recorded values, the unit they are charted in, and the threshold line. */
  private List<Map<String, Object>> checkSamples(String name, StagingRelease release, StagingReleaseStatus status) {
    Map<String, HealthCheckSpec> specs = new LinkedHashMap<>();
    if (release != null && release.getSpec() != null && release.getSpec().getHealth() != null
        && release.getSpec().getHealth().getChecks() != null) {
      release.getSpec().getHealth().getChecks().forEach(c -> specs.put(c.getName(), c));
    }
    List<String> names = new ArrayList<>(specs.keySet());
    if (status != null) {
      status.getChecks().stream().map(CheckStatus::getName)
          .filter(n -> n != null && !names.contains(n)).forEach(names::add);
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (status != null) {
      status.getChecks().forEach(c -> values.put(c.getName(), c.getLastValue()));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (String check : names) {
      HealthCheckSpec spec = specs.get(check);
      if (spec == null && CheckSamples.guess(values.get(check)) != null) {
        // The check Backstop adds when the spec names none: judged with its defaults.
        spec = new HealthCheckSpec();
        spec.setName(check);
        spec.setType(CheckSamples.guess(values.get(check)));
      }
      CheckType type = spec == null ? null : spec.getType();
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", check);
      c.put("type", type == null ? null : COMPACT.convertValue(type, String.class));
      c.put("unit", CheckSamples.unit(type));
      c.put("threshold", CheckSamples.threshold(spec));
      c.put("samples", samples.samples(name, check, type));
      out.add(c);
    }
    return out;
  }

  /** The page marked read-only: the script shows a note instead of the buttons, the style hides the token. */
  private static byte[] readOnlyPage(byte[] html) {
    String page = new String(html, StandardCharsets.UTF_8);
    if (!page.contains("<body>")) {
      throw new IllegalStateException("backstop-ui/index.html has no <body> to mark read-only");
    }
    return page.replace("<body>", "<body data-mode=\"read-only\" data-note=\"" + READ_ONLY_NOTE + "\">")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void asset(HttpExchange ex, String file, String type, UnaryOperator<byte[]> edit) throws IOException {
    try (InputStream in = StatusServer.class.getResourceAsStream("/backstop-ui/" + file)) {
      if (in == null) {
        send(ex, 404, "text/plain", "the status page is missing from this build: " + file + "\n");
        return;
      }
      byte[] body = edit.apply(in.readAllBytes());
      ex.getResponseHeaders().set("Content-Type", type);
      // Plain assets from the jar only: no inline script, nothing from elsewhere, no framing.
      ex.getResponseHeaders().set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      sendBytes(ex, 200, body);
    }
  }

  private static void refuse(HttpExchange ex, RequestGuard.Refusal r) throws IOException {
    if (r.status() == 401) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"backstop\"");
    }
    send(ex, r.status(), "application/json", error(r.message()));
  }

  private static String error(String message) {
    try {
      return COMPACT.writeValueAsString(Map.of("error", message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Names come from the URL: only what a release name may hold goes back into an answer.
  private static String safe(String text) {
    return text.replaceAll("[^A-Za-z0-9/._-]", "");
  }

  private static void drain(InputStream body) throws IOException {
    // Actions take no parameters yet; the body is read (bounded) so the connection can be reused.
    body.readNBytes(64 * 1024);
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    sendBytes(ex, code, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void sendBytes(HttpExchange ex, int code, byte[] bytes) throws IOException {
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
