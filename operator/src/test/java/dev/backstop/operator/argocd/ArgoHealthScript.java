package dev.backstop.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs examples/argocd/health-stagingrelease.lua the way Argo CD does: {@code obj} in, table out. */
public final class ArgoHealthScript {

  public static final Path SCRIPT = Path.of("../examples/argocd/health-stagingrelease.lua");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Argo CD's verdict: status (Healthy, Progressing, Degraded, Suspended) and message. */
  public record Health(String status, String message) {}

  private ArgoHealthScript() {}

  /** Evaluates the script against a resource (any object Jackson can serialize). */
  public static Health evaluate(Object resource) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(JSON.valueToTree(resource)));
    LuaValue result = globals.load(Files.readString(SCRIPT), "health.lua").call();
    return new Health(result.get("status").optjstring(null), result.get("message").optjstring(null));
  }

  private static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable t = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        t.set(e.getKey(), toLua(e.getValue()));
      }
      return t;
    }
    if (node.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        t.set(i + 1, toLua(node.get(i)));
      }
      return t;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }
}
