package dev.backstop.operator.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link ComposeDriver} that asks Compose to render a project (`config` in its four forms) once
 * per content: a commit's checkout never changes, so a rollback to a commit this process applied
 * before spends no compose run on its model. An emergency rollback spent two of them (~0.2-0.5 s)
 * before anything stopped. The key is what the rendering reads: the command line, the stack
 * variables, and the bytes of every file the command names and of every file at the top of the
 * project directory (Compose's default files, .env); a file changed by hand renders again. Files
 * those include from further down are the checkout's and change only with the commit. Everything
 * else passes through.
 */
public final class RenderCache implements ComposeDriver {

  /** Renderings kept, least recently used dropped first: a few per commit the releases keep. */
  static final int ENTRIES = 128;
  // A file bigger than this is keyed by its size and time, not read: compose files and .env are
  // small, and a checkout's other top-level files (a data dump, a binary) must not be read per apply.
  private static final long HASHED_BYTES = 64 * 1024;

  private final ComposeDriver compose;
  private final Map<String, Object> renderings =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
          return size() > ENTRIES;
        }
      };

  public RenderCache(ComposeDriver compose) {
    this.compose = compose;
  }

  /** Compose's rendering of a project; checked failures are not kept. */
  private interface Render<T> {
    T run() throws ComposeException;
  }

  @SuppressWarnings("unchecked")
  private <T> T cached(String verb, ComposeProject project, Render<T> render) throws ComposeException {
    String key = key(verb, project);
    if (key != null) {
      synchronized (renderings) {
        Object known = renderings.get(key);
        if (known != null) {
          return (T) known;
        }
      }
    }
    // Two reconciles may render the same project at once; either result is the same.
    T rendered = render.run();
    if (key != null) {
      synchronized (renderings) {
        renderings.put(key, rendered);
      }
    }
    return rendered;
  }

  /** What the rendering reads, digested; null when a file cannot be read (then nothing is kept). */
  static String key(String verb, ComposeProject project) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Path dir = project.directory().toAbsolutePath().normalize();
      add(sha, verb, project.name(), dir.toString(), String.valueOf(project.dockerHost()));
      add(sha, "files");
      add(sha, project.files().toArray(String[]::new));
      add(sha, "env-files");
      add(sha, project.envFiles().toArray(String[]::new));
      add(sha, "variables");
      new TreeMap<>(project.environment()).forEach((k, v) -> add(sha, k, v));
      List<Path> read = new ArrayList<>();
      for (String file : project.files()) {
        read.add(dir.resolve(file));
      }
      for (String file : project.envFiles()) {
        read.add(dir.resolve(file));
      }
      try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
        top.forEach(read::add);
      }
      read.sort(null);
      for (Path file : read) {
        stamp(sha, file);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      // A missing directory or unreadable file: Compose says what is wrong, every time.
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void stamp(MessageDigest sha, Path file) throws IOException {
    add(sha, file.toString());
    if (!Files.exists(file)) {
      add(sha, "absent");
      return;
    }
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      add(sha, "not a file");
    } else if (attributes.size() > HASHED_BYTES) {
      add(sha, attributes.size() + "@" + attributes.lastModifiedTime().toMillis());
    } else {
      sha.update(Files.readAllBytes(file));
      sha.update((byte) 0);
    }
  }

  private static void add(MessageDigest sha, String... parts) {
    for (String part : parts) {
      sha.update(part.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
  }

  @Override
  public List<String> services(ComposeProject project) throws ComposeException {
    // Read from the cached rendering, which every apply needs anyway: one compose run, not two.
    return cached("services", project, () -> ComposeModels.serviceNames(config(project)));
  }

  @Override
  public Map<String, String> hashes(ComposeProject project) throws ComposeException {
    return cached("hashes", project, () -> Map.copyOf(compose.hashes(project)));
  }

  @Override
  public String config(ComposeProject project) throws ComposeException {
    return cached("config", project, () -> compose.config(project));
  }

  @Override
  public String rawConfig(ComposeProject project) throws ComposeException {
    return cached("raw-config", project, () -> compose.rawConfig(project));
  }

  @Override
  public void down(ComposeProject project, boolean removeOrphans, Duration stopTimeout)
      throws ComposeException {
    compose.down(project, removeOrphans, stopTimeout);
  }

  @Override
  public Optional<String> imageUser(DockerEndpoint dockerHost, String image) throws ComposeException {
    return compose.imageUser(dockerHost, image);
  }

  @Override
  public void build(ComposeProject project, List<String> services) throws ComposeException {
    compose.build(project, services);
  }

  @Override
  public void pull(ComposeProject project, String policy, List<String> services) throws ComposeException {
    compose.pull(project, policy, services);
  }

  @Override
  public void upFromHostImages(ComposeProject project) throws ComposeException {
    compose.upFromHostImages(project);
  }

  @Override
  public void upServicesFromHostImages(ComposeProject project, List<String> services) throws ComposeException {
    compose.upServicesFromHostImages(project, services);
  }

  @Override
  public Optional<String> imageId(DockerEndpoint dockerHost, String image) throws ComposeException {
    return compose.imageId(dockerHost, image);
  }

  @Override
  public List<String> images(DockerEndpoint dockerHost, String label, String value) throws ComposeException {
    return compose.images(dockerHost, label, value);
  }

  @Override
  public boolean removeImage(DockerEndpoint dockerHost, String image) throws ComposeException {
    return compose.removeImage(dockerHost, image);
  }
}
