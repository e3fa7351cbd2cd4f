package dev.backstop.operator.local;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which requests the local API answers at all (the Host header names the address it bound: a DNS
 * rebinding page names its own host) and which may change state (token, JSON, same Origin).
 */
final class RequestGuard {

  /** Why a request is refused, with the HTTP status it gets. */
  record Refusal(int status, String message) {}

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  private final InetAddress bound;
  private final int port;

  RequestGuard(InetAddress bound, int port) {
    this.bound = bound;
    this.port = port;
  }

  /**
   * Refuses a Host header that does not name this server: only IP literals of the bound address
   * (any of this machine's when bound to all), and {@code localhost} when bound to loopback or to
   * all. Host names that resolve elsewhere are what DNS rebinding uses, so none are trusted.
   */
  Optional<Refusal> checkHost(String host) {
    if (host == null || host.isBlank()) {
      return Optional.of(new Refusal(400, "a Host header is required"));
    }
    Optional<HostPort> parsed = HostPort.parse(host.strip());
    if (parsed.isEmpty() || parsed.get().port() != port) {
      return Optional.of(misdirected(host));
    }
    String name = parsed.get().name().toLowerCase(Locale.ROOT);
    if (name.equals("localhost")) {
      return bound.isLoopbackAddress() || bound.isAnyLocalAddress()
          ? Optional.empty()
          : Optional.of(misdirected(host));
    }
    Optional<InetAddress> literal = literal(name);
    if (literal.isEmpty()) {
      return Optional.of(misdirected(host));
    }
    InetAddress addr = literal.get();
    boolean ok = bound.isAnyLocalAddress()
        || addr.equals(bound)
        || (bound.isLoopbackAddress() && addr.isLoopbackAddress());
    return ok ? Optional.empty() : Optional.of(misdirected(host));
  }

  /**
   * Refuses a state-changing request from a browser page of another origin: when a browser sends an
   * Origin, it must be this server as the Host header names it. Clients that are not browsers (the
   * CLI, curl) send none and are judged by the token alone.
   */
  Optional<Refusal> checkOrigin(String origin, String host) {
    if (origin == null) {
      return Optional.empty();
    }
    String expected = "http://" + host.strip();
    return origin.strip().equalsIgnoreCase(expected)
        ? Optional.empty()
        : Optional.of(new Refusal(403, "requests from " + origin + " are not accepted; use the page at "
            + expected));
  }

  /** Refuses a missing or wrong token: 401 without one, 403 with a wrong one. */
  static Optional<Refusal> checkToken(ApiToken token, String header, String bearer) {
    String presented = header != null ? header.strip() : bearerValue(bearer);
    if (presented == null || presented.isEmpty()) {
      return Optional.of(new Refusal(401, "this request needs the API token (file " + ApiToken.FILE
          + " in the state directory) in the X-Backstop-Token header"));
    }
    return token.matches(presented)
        ? Optional.empty()
        : Optional.of(new Refusal(403, "the API token does not match " + ApiToken.FILE
            + " in the daemon's state directory"));
  }

  /** Refuses a body that is not JSON: a cross-site form cannot send application/json. */
  static Optional<Refusal> checkJson(String contentType) {
    if (contentType != null
        && contentType.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(415, "send the request as Content-Type: application/json"));
  }

  private static String bearerValue(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.strip();
    return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).strip() : null;
  }

  private Refusal misdirected(String host) {
    return new Refusal(421, "this server does not answer for Host " + host
        + "; use its address and port, e.g. http://" + pageHost() + ":" + port + "/");
  }

  /** The host part of this server's URL as people should type it. */
  String pageHost() {
    if (bound.isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    String text = bound.getHostAddress();
    return text.contains(":") ? "[" + text + "]" : text;
  }

  // Parses IP literals only; InetAddress.getByName does no lookup for them.
  private static Optional<InetAddress> literal(String name) {
    boolean v6 = name.startsWith("[") && name.endsWith("]")
        && IPV6.matcher(name.substring(1, name.length() - 1)).matches();
    if (!v6 && !IPV4.matcher(name).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(v6 ? name.substring(1, name.length() - 1) : name));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** A Host header split into name and port (80 when it names none). */
  record HostPort(String name, int port) {
    static Optional<HostPort> parse(String host) {
      int colon = host.lastIndexOf(':');
      boolean bracketed = host.startsWith("[");
      if (colon < 0 || (bracketed && colon < host.indexOf(']'))) {
        return Optional.of(new HostPort(host, 80));
      }
      try {
        return Optional.of(new HostPort(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  }
}
