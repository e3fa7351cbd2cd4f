package dev.backstop.operator.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * A bare repository on this machine whose post-receive hook tells Backstop of every push, as a
 * person would set it up: the payload signed with openssl and posted with curl to /hooks/git. Both
 * modes' push-webhook ITs push to it with a real `git push`.
 */
final class HookedRepo {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Path bare;
  private final DemoRepo work;

  private HookedRepo(Path bare, DemoRepo work) {
    this.bare = bare;
    this.work = work;
  }

  /** A bare repository at {@code bare} whose main is {@code work}'s {@code ref}, no hook yet. */
  static HookedRepo create(DemoRepo work, Path bare, String ref) throws Exception {
    DemoRepo.run(List.of("git", "init", "-q", "--bare", "-b", "main", bare.toString()), work.dir);
    HookedRepo repo = new HookedRepo(bare, work);
    repo.push(ref);
    return repo;
  }

  /**
   * Installs the post-receive hook: a GitHub-style push payload for each pushed ref, signed with
   * the secret in {@code secretFile} (read at every push, as a hook would), posted to the hooks
   * endpoint on {@code port} of this machine.
   */
  void installPostReceive(Path secretFile, int port) throws Exception {
    Path hook = bare.resolve("hooks/post-receive");
    Files.writeString(hook, """
        #!/bin/sh
        secret=$(cat '%s')
        while read old new ref; do
          payload=$(printf '{"ref":"%%s","after":"%%s","repository":{"clone_url":"file://%s"}}' "$ref" "$new")
          sig=$(printf '%%s' "$payload" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')
          curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \\
            -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$payload" %s
          echo
        done
        """.formatted(secretFile, bare, hooksUri(port)));
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
  }

  /** {@code git push} of {@code ref} to main; its output includes what the hook printed. */
  String push(String ref) throws Exception {
    return DemoRepo.run(List.of("git", "push", bare.toString(), ref + "^{commit}:refs/heads/main"), work.dir);
  }

  /** A delivery to /hooks/git on {@code port} with these headers, as a git host would send it. */
  static HttpResponse<String> deliver(int port, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(hooksUri(port))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI hooksUri(int port) {
    return URI.create("http://127.0.0.1:" + port + "/hooks/git");
  }
}
