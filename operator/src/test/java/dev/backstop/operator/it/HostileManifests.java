package dev.backstop.operator.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and hostile StagingRelease manifests, one fault each, shared by the local-mode and the
 * API-side bad-input suites. Shell payloads all try to create {@link #marker}; the credential cases
 * carry {@link #password}, which must never be repeated anywhere.
 */
final class HostileManifests {

  /** One manifest: {@code name} is its release (and file) name, null when the YAML names none. */
  record Case(String id, String name, String yaml, boolean credentials) {}

  final String prefix;
  final Path repo;
  final Path marker;
  final String password;
  final String ownerProject;

  HostileManifests(String prefix, Path repo, Path marker, String password, String ownerProject) {
    this.prefix = prefix;
    this.repo = repo;
    this.marker = marker;
    this.password = password;
    this.ownerProject = ownerProject;
  }

  private String touch() {
    return "touch " + marker;
  }

  /** A manifest for the demo repository at v1 with {@code source} and {@code rest} (spec lines). */
  private String manifest(String name, String source, String rest) {
    return """
        apiVersion: backstop.dev/v1alpha1
        kind: StagingRelease
        metadata:
          name: %s
        spec:
          source:
        %s
          compose:
            projectName: %s
        %s
        """.formatted(name, indent(source, 4), prefix + "-" + name, indent(rest, 2));
  }

  private String good(String name, String rest) {
    return manifest(name, "url: file://" + repo + "\nref: v1", rest);
  }

  private String ref(String name, String ref) {
    return manifest(name, "url: file://" + repo + "\nref: " + quote(ref), "");
  }

  private String url(String name, String url) {
    return manifest(name, "url: " + quote(url) + "\nref: v1", "");
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String indent(String text, int n) {
    String pad = " ".repeat(n);
    StringBuilder b = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (!line.isEmpty()) {
        b.append(pad).append(line);
      }
      b.append('\n');
    }
    return b.toString().stripTrailing();
  }

  List<Case> all() {
    List<Case> c = new ArrayList<>();
    String big = "a".repeat(1024 * 1024);
    // Bad YAML and wrong shapes
    c.add(new Case("not-yaml", null, "kind: StagingRelease\nmetadata: {name: [oops\n", false));
    c.add(new Case("garbage", null, "\t\t: :\n- ][ \u0000\n", false));
    c.add(new Case("alias-bomb", null, aliasBomb(), false));
    c.add(new Case("wrong-api-version", "h-apiver", good("h-apiver", "").replace("backstop.dev/v1alpha1", "backstop.dev/v9"), false));
    c.add(new Case("wrong-kind", "h-kind", good("h-kind", "").replace("kind: StagingRelease", "kind: Deployment"), false));
    c.add(new Case("no-name", null, good("h-noname", "").replace("  name: h-noname\n", "  labels: {a: b}\n"), false));
    c.add(new Case("bad-name", null, good("Bad_Name", ""), false));
    c.add(new Case("spec-is-a-string", "h-specstr", "apiVersion: backstop.dev/v1alpha1\nkind: StagingRelease\nmetadata:\n  name: h-specstr\nspec: hello\n", false));
    c.add(new Case("ref-is-a-number", "h-refnum", manifest("h-refnum", "url: file://" + repo + "\nref: 0123", ""), false));
    c.add(new Case("ref-is-a-boolean", "h-refbool", manifest("h-refbool", "url: file://" + repo + "\nref: yes", ""), false));
    c.add(new Case("keepImages-is-text", "h-keeptext", good("h-keeptext", "").replace("    projectName:", "    keepImages: three\n    projectName:"), false));
    c.add(new Case("checks-is-a-map", "h-checksmap", good("h-checksmap", "health:\n  checks: {name: web}"), false));
    c.add(new Case("unknown-top-field", "h-unktop", good("h-unktop", "") + "\nextra: 1\n", false));
    c.add(new Case("unknown-spec-field", "h-unkspec", good("h-unkspec", "replicas: 3"), false));
    c.add(new Case("unknown-compose-field", "h-unkcompose", good("h-unkcompose", "").replace("    projectName:", "    privileged: true\n    projectName:"), false));
    c.add(new Case("duplicate-key", "h-dupkey", good("h-dupkey", "suspend: false\nsuspend: true"), false));
    c.add(new Case("deep-nesting", "h-deep", good("h-deep", "").replace("    projectName:", "    files: " + "[".repeat(2000) + "]".repeat(2000) + "\n    projectName:"), false));
    // Absurd values and ranges
    c.add(new Case("interval-overflow", "h-ivover", good("h-ivover", "health:\n  interval: 9223372036854775807h"), false));
    c.add(new Case("deadline-overflow", "h-dlover", good("h-dlover", "health:\n  progressDeadline: 99999999999999999999999s"), false));
    c.add(new Case("interval-1ms", "h-iv1ms", good("h-iv1ms", "health:\n  interval: 1ms"), false));
    c.add(new Case("poll-1s", "h-poll1s", manifest("h-poll1s", "url: file://" + repo + "\nref: v1\npollInterval: 1s", ""), false));
    c.add(new Case("negative-keepImages", "h-negkeep", good("h-negkeep", "").replace("    projectName:", "    keepImages: -1\n    projectName:"), false));
    c.add(new Case("keepImages-overflow", "h-keepover", good("h-keepover", "").replace("    projectName:", "    keepImages: 99999999999999999999\n    projectName:"), false));
    c.add(new Case("negative-retention", "h-negret", good("h-negret", "backup:\n  service: db\n  command: pg_dump\n  restoreCommand: psql\n  retention: -5"), false));
    c.add(new Case("stableFor-past-deadline", "h-stable", good("h-stable", "health:\n  progressDeadline: 30s\n  stableFor: 1h"), false));
    c.add(new Case("deletionPolicy-unknown", "h-delpol", good("h-delpol", "deletionPolicy: Nuke"), false));
    c.add(new Case("pullPolicy-unknown", "h-pull", good("h-pull", "").replace("    projectName:", "    pullPolicy: sometimes\n    projectName:"), false));
    c.add(new Case("null-compose-file", "h-nullfile", good("h-nullfile", "").replace("    projectName:", "    files: [~]\n    projectName:"), false));
    c.add(new Case("null-env-file", "h-nullenv", good("h-nullenv", "").replace("    projectName:", "    envFiles: [~]\n    projectName:"), false));
    c.add(new Case("null-check", "h-nullcheck", good("h-nullcheck", "health:\n  checks: [~]"), false));
    c.add(new Case("project-name-invalid", "h-projbad", good("h-projbad", "").replace("projectName: " + prefix + "-h-projbad", "projectName: 'Bad Name'"), false));
    c.add(new Case("project-name-1mb", "h-proj1mb", good("h-proj1mb", "").replace("projectName: " + prefix + "-h-proj1mb", "projectName: " + big), false));
    c.add(new Case("ref-1mb", "h-ref1mb", ref("h-ref1mb", big), false));
    c.add(new Case("url-1mb", "h-url1mb", url("h-url1mb", "https://example.invalid/" + big), false));
    // Path traversal
    c.add(new Case("path-traversal", "h-path", good("h-path", "").replace("    projectName:", "    path: ../../etc\n    projectName:"), false));
    c.add(new Case("path-absolute", "h-pathabs", good("h-pathabs", "").replace("    projectName:", "    path: /\n    projectName:"), false));
    c.add(new Case("file-traversal", "h-filetrav", good("h-filetrav", "").replace("    projectName:", "    files: [../../../etc/passwd]\n    projectName:"), false));
    c.add(new Case("envfile-absolute", "h-envabs", good("h-envabs", "").replace("    projectName:", "    envFiles: [/etc/shadow]\n    projectName:"), false));
    // Refs and URLs shaped like options or shell
    c.add(new Case("ref-upload-pack", "h-refopt", ref("h-refopt", "--upload-pack=" + touch()), false));
    c.add(new Case("ref-subshell", "h-refsub", ref("h-refsub", "$(" + touch() + ")"), false));
    c.add(new Case("ref-backticks", "h-reftick", ref("h-reftick", "`" + touch() + "`"), false));
    c.add(new Case("ref-semicolon", "h-refsemi", ref("h-refsemi", "v1;" + touch()), false));
    c.add(new Case("ref-dotdot", "h-refdots", ref("h-refdots", "v1..v2"), false));
    c.add(new Case("url-upload-pack", "h-urlopt", url("h-urlopt", "--upload-pack=" + touch()), false));
    c.add(new Case("url-subshell", "h-urlsub", url("h-urlsub", "$(" + touch() + ")"), false));
    c.add(new Case("url-semicolon", "h-urlsemi", url("h-urlsemi", "file:///nowhere;" + touch()), false));
    c.add(new Case("url-ext-transport", "h-urlext", url("h-urlext", "ext::sh -c " + touch()), false));
    // Credentials in URLs
    c.add(new Case("url-https-password", "h-credhttps", url("h-credhttps", "https://alice:" + password + "@git.example.invalid/app.git"), true));
    c.add(new Case("url-http-password", "h-credhttp", url("h-credhttp", "http://bob:" + password + "@127.0.0.1:1/app.git"), true));
    c.add(new Case("url-ssh-password", "h-credssh", url("h-credssh", "ssh://git:" + password + "@127.0.0.1:1/app.git"), true));
    // A second claimant of a running project
    c.add(new Case("duplicate-project", "h-dupproj", good("h-dupproj", "").replace("projectName: " + prefix + "-h-dupproj", "projectName: " + ownerProject), false));
    return c;
  }

  private static String aliasBomb() {
    StringBuilder b = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (char ch = 'b'; ch <= 'j'; ch++) {
      char prev = (char) (ch - 1);
      b.append(ch).append(": &").append(ch).append(" [").append(("*" + prev + ",").repeat(9)).append('*').append(prev)
          .append("]\n");
    }
    return b.append("kind: StagingRelease\n").toString();
  }
}
