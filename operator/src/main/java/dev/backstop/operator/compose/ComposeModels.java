package dev.backstop.operator.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.compose.ComposeException.Kind;
import dev.backstop.operator.core.ComposeModel;
import dev.backstop.operator.core.ServiceDiff;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads the {@link ComposeModel} the policy and confinement checks judge from Compose's JSON. */
public final class ComposeModels {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ComposeModels() {}

  /**
   * @param configJson `docker compose config --format json`: everything but env files
   * @param rawJson the same with `--no-interpolate`: Compose 2.26 inlines env files into
   *     `environment` and drops `env_file` from the interpolated model, so their paths come from
   *     this one
   * @throws ComposeException INVALID when either is not a compose model
   */
  public static ComposeModel parse(String configJson, String rawJson) throws ComposeException {
    JsonNode root = read(configJson);
    JsonNode raw = read(rawJson);
    List<ComposeModel.Service> services = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      JsonNode build = s.path("build");
      String context = text(build.path("context"));
      if (context != null && isRemote(context)) {
        context = null; // a git or http context is fetched by the builder, not read from the host
      }
      List<String> devices = new ArrayList<>();
      for (JsonNode d : s.path("devices")) {
        devices.add(d.isTextual() ? d.asText()
            : d.path("source").asText("") + ":" + d.path("target").asText(""));
      }
      List<ComposeModel.Mount> mounts = new ArrayList<>();
      for (JsonNode v : s.path("volumes")) {
        mounts.add(new ComposeModel.Mount(v.path("type").asText(""), text(v.path("source")), text(v.path("target"))));
      }
      List<String> envFiles = new ArrayList<>();
      for (JsonNode f : raw.path("services").path(e.getKey()).path("env_file")) {
        String path = f.isTextual() ? f.asText() : text(f.path("path"));
        if (path != null) {
          envFiles.add(path);
        }
      }
      services.add(new ComposeModel.Service(
          e.getKey(),
          text(s.path("image")),
          context,
          context == null ? null : text(build.path("dockerfile")),
          s.path("privileged").asBoolean(false),
          text(s.path("network_mode")),
          text(s.path("pid")),
          text(s.path("ipc")),
          text(s.path("uts")),
          strings(s.path("cap_add")),
          devices,
          text(s.path("user")),
          mounts,
          envFiles));
    }
    List<ComposeModel.HostFile> files = new ArrayList<>();
    for (String kind : List.of("secrets", "configs")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path(kind).fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String file = text(e.getValue().path("file"));
        if (file != null) {
          files.add(new ComposeModel.HostFile(kind + "." + e.getKey() + ".file", file));
        }
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("volumes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      // The local driver's `o: bind` + `device:` turns a named volume into a bind of a host path.
      String device = text(e.getValue().path("driver_opts").path("device"));
      if (device != null && device.startsWith("/")) {
        files.add(new ComposeModel.HostFile("volumes." + e.getKey() + ".driver_opts.device", device));
      }
    }
    return new ComposeModel(services, files);
  }

  /**
   * The fields {@link ServiceDiff} compares, per service, from `docker compose config --format
   * json`; environment values are dropped here, so they go no further.
   *
   * @param projectDir the checkout's compose directory: bind sources below it are shown relative
   *     to it (./www), as every commit has its own checkout
   *
   * @throws ComposeException INVALID when it is not a compose model
   */
  public static Map<String, ServiceDiff.Definition> definitions(String configJson, java.nio.file.Path projectDir)
      throws ComposeException {
    String base = projectDir.toAbsolutePath().normalize().toString();
    Map<String, ServiceDiff.Definition> out = new java.util.TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = read(configJson).path("services").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      List<String> envKeys = new ArrayList<>();
      s.path("environment").fieldNames().forEachRemaining(envKeys::add);
      List<String> ports = new ArrayList<>();
      for (JsonNode p : s.path("ports")) {
        String host = text(p.path("host_ip"));
        String published = text(p.path("published"));
        ports.add((host == null ? "" : host + ":") + (published == null ? "" : published + ":")
            + p.path("target").asText("") + "/" + p.path("protocol").asText("tcp"));
      }
      List<String> volumes = new ArrayList<>();
      for (JsonNode v : s.path("volumes")) {
        String source = text(v.path("source"));
        if (source != null && (source.equals(base) || source.startsWith(base + "/"))) {
          source = "." + source.substring(base.length());
        }
        volumes.add((source == null ? "" : source + ":") + v.path("target").asText("")
            + (v.path("read_only").asBoolean(false) ? ":ro" : ""));
      }
      JsonNode health = s.path("healthcheck");
      out.put(e.getKey(), new ServiceDiff.Definition(
          text(s.path("image")),
          s.path("command").isArray() ? String.join(" ", strings(s.path("command"))) : text(s.path("command")),
          envKeys,
          ports,
          volumes,
          health.isObject() ? health.toString() : null));
    }
    return out;
  }

  /**
   * The services of `docker compose config --format json`, as `config --services` lists them.
   *
   * @throws ComposeException INVALID when it is not a compose model
   */
  public static List<String> serviceNames(String configJson) throws ComposeException {
    List<String> names = new ArrayList<>();
    read(configJson).path("services").fieldNames().forEachRemaining(names::add);
    return List.copyOf(names);
  }

  private static JsonNode read(String json) throws ComposeException {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new ComposeException(Kind.INVALID, "docker compose config printed no JSON model");
      }
      return node;
    } catch (IOException e) {
      throw new ComposeException(Kind.INVALID, "docker compose config printed no JSON model: " + e.getMessage(), e);
    }
  }

  private static boolean isRemote(String context) {
    return context.contains("://") || context.startsWith("git@");
  }

  private static String text(JsonNode node) {
    return node.isValueNode() && !node.isNull() ? node.asText() : null;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText());
    }
    return out;
  }
}
